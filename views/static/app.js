// siteward's only script of its own (besides htmx and its SSE extension).
// No inline script anywhere: the page's CSP has no 'unsafe-inline' and no
// 'unsafe-eval'.
(function () {
  'use strict';
  var token = function () {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  };
  // every htmx request carries the session's CSRF token (DELETE has no body)
  document.addEventListener('htmx:config:request', function (e) {
    var t = token();
    if (t && e.detail && e.detail.ctx) e.detail.ctx.request.headers['X-CSRF-Token'] = t;
  });
  // the theme picker (views/theme.tsx): the choice is applied at once and kept
  // in a cookie for a year, which the server reads so the next page is painted
  // right from the start; "system" forgets it (prefers-color-scheme decides)
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (!el || !el.hasAttribute || !el.hasAttribute('data-theme-pick')) return;
    var v = el.value === 'light' || el.value === 'dark' ? el.value : '';
    if (v) document.documentElement.setAttribute('data-theme', v);
    else document.documentElement.removeAttribute('data-theme');
    document.cookie = 'sw-theme=' + (v || 'system') + '; path=/; SameSite=Lax; max-age=' + (v ? 31536000 : 0);
  });
  // pages without htmx (sign-in, public status pages) use only the theme picker
  if (typeof htmx === 'undefined') return;
  // htmx compiles hx-on / js: expressions with Function(). The CSP forbids it
  // anyway; this makes any such attribute inert (and says so) instead of
  // throwing inside htmx.
  htmx.registerExtension('siteward', {
    init: function (api) {
      var off = function () {
        return { call: function () { console.warn('siteward: inline scripts are disabled'); } };
      };
      api.initSecurity(null, off, off);
    },
  });
  // "Copy" buttons: copy the text of the element named by data-copy (a read-only field)
  document.addEventListener('click', function (e) {
    var b = e.target && e.target.closest ? e.target.closest('button[data-copy]') : null;
    if (!b) return;
    var el = document.getElementById(b.getAttribute('data-copy'));
    if (!el) return;
    if (el.select) el.select();
    var done = function () { b.textContent = 'Copied'; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(el.value).then(done, function () {});
    else if (document.execCommand && document.execCommand('copy')) done();
  });
  // a URL pasted into a check's host name field fills the host name, port, TLS
  // and request path, and the name when it is empty (the server reads a URL
  // left in the field the same way: src/web/paste-url.ts)
  document.addEventListener('input', function (e) {
    var el = e.target;
    if (!el || el.name !== 'opt.hostname' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(el.value.trim())) return;
    var u;
    try { u = new URL(el.value.trim()); } catch { return; }
    if (!u.hostname) return;
    var f = el.form;
    var set = function (name, v) { var x = f.elements[name]; if (x && x.type !== 'checkbox') x.value = v; };
    var host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    el.value = host;
    set('opt.port', u.port);
    set('opt.reqPath', (u.pathname || '/') + u.search);
    var tls = f.elements['opt.tls'];
    if (tls && tls.type === 'checkbox' && (u.protocol === 'https:' || u.protocol === 'http:')) tls.checked = u.protocol === 'https:';
    var name = f.elements.namedItem('name');
    if (name && name.value.trim() === '') name.value = u.port ? (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + u.port : host;
  });
  // a row's actions menu is built when it opens, from the page's one set of
  // items (<template id="row-menu">, views/partials/check-row.tsx): the row
  // says which items it offers (data-acts; "-off": shown, disabled), the query
  // a move carries (data-move); its Edit link gives the check's URL
  var fill = function (d) {
    var tpl = document.getElementById('row-menu');
    var box = d.querySelector('.menu-items');
    var edit = box && box.querySelector('a[href]');
    if (!tpl || !edit || !d.hasAttribute('data-acts')) return;
    var acts = ' ' + d.getAttribute('data-acts') + ' ';
    var url = edit.getAttribute('href');
    var items = tpl.content.cloneNode(true);
    Array.prototype.slice.call(items.children).forEach(function (el) {
      var act = el.getAttribute('data-act');
      var post = function (to) { el.setAttribute('formaction', to); el.setAttribute('hx-post', to); };
      if (act === 'edit') el.setAttribute('href', url);
      else if (act === 'delete') {
        el.setAttribute('href', url + '/delete');
        el.setAttribute('hx-delete', url);
        el.setAttribute('hx-confirm', 'Delete check "' + d.getAttribute('data-name') + '"?');
      } else if (acts.indexOf(' ' + act + '-off ') >= 0) {
        el.disabled = true;
        post(url + '/move' + (d.getAttribute('data-move') || ''));
      } else if (acts.indexOf(' ' + act + ' ') < 0) el.remove();
      else if (act === 'up' || act === 'down') post(url + '/move' + (d.getAttribute('data-move') || ''));
      else post(url + '/' + (act === 'resume' ? 'pause' : act));
    });
    box.replaceChildren(items);
    htmx.process(box);
  };
  document.addEventListener('toggle', function (e) {
    var d = e.target;
    if (d && d.matches && d.matches('details.menu[data-acts]') && d.open) fill(d);
  }, true);
  // action menus (<details class="menu">): one open at a time; a click elsewhere or Escape closes it (focus back on its button)
  document.addEventListener('click', function (e) {
    var inside = e.target && e.target.closest ? e.target.closest('details.menu') : null;
    document.querySelectorAll('details.menu[open]').forEach(function (d) { if (d !== inside) d.removeAttribute('open'); });
    // an item chosen: the menu closes and its button keeps the focus (the row is morphed, not replaced)
    var item = inside && e.target.closest('.menu-items button, .menu-items a[hx-delete]');
    if (item) {
      setTimeout(function () {
        inside.removeAttribute('open');
        var s = inside.querySelector('summary');
        if (s) s.focus();
      }, 0);
    }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var d = e.target && e.target.closest ? e.target.closest('details.menu[open]') : null;
    if (!d) return;
    d.removeAttribute('open');
    var s = d.querySelector('summary');
    if (s) s.focus();
  });
  // live-update indicator: body[data-live] is "on" while the event stream is open
  var live = function (on) { document.body.setAttribute('data-live', on ? 'on' : 'off'); };
  document.addEventListener('htmx:sse:after:connection', function () { live(true); });
  document.addEventListener('htmx:sse:error', function () { live(false); });
  document.addEventListener('htmx:sse:close', function () { live(false); });
})();
// a refused htmx action (a validation or permission error) must not fail silently
document.addEventListener('htmx:response:error', function (e) {
  var ctx = e.detail && e.detail.ctx;
  var text = ctx && ctx.text;
  if (text && !/^\s*</.test(text)) window.alert(text);
});
