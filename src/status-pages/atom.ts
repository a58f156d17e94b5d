/**
 * The Atom feed of a status page's incidents (RFC 4287): one entry per
 * incident, updated at its latest update, its updates as the content.
 */
import type { Incident } from './incidents.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso = (t: number): string => new Date(t).toISOString();

export function atomFeed(o: {
  title: string;
  pageUrl: string;
  feedUrl: string;
  host: string;
  slug: string;
  now: number;
  incidents: readonly Incident[];
}): string {
  const latest = (i: Incident): number => Math.max(i.opened, i.resolved ?? 0, ...i.updates.map((u) => u.t));
  const updated = o.incidents.length ? Math.max(...o.incidents.map(latest)) : o.now;
  // tag URIs (RFC 4151): stable ids whatever address the page is read at
  const tag = (tail: string): string => `tag:${o.host},2026:status/${o.slug}${tail}`;
  const entries = o.incidents.map((i) => {
    const content = i.updates.map((u) => `<p><strong>${esc(u.status)}</strong> (${esc(iso(u.t))}): ${esc(u.body)}</p>`).join('');
    return [
      '<entry>',
      `<id>${esc(tag(`/incident/${i.id}`))}</id>`,
      `<title>${esc(`${i.resolved === null ? '' : 'Resolved: '}${i.title}`)}</title>`,
      `<published>${iso(i.opened)}</published>`,
      `<updated>${iso(latest(i))}</updated>`,
      `<link rel="alternate" type="text/html" href="${esc(`${o.pageUrl}#incident-${i.id}`)}"/>`,
      `<content type="html">${esc(content)}</content>`,
      '</entry>',
    ].join('');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${esc(tag(''))}</id>`,
    `<title>${esc(`${o.title}: incidents`)}</title>`,
    `<updated>${iso(updated)}</updated>`,
    `<author><name>${esc(o.title)}</name></author>`,
    `<link rel="self" type="application/atom+xml" href="${esc(o.feedUrl)}"/>`,
    `<link rel="alternate" type="text/html" href="${esc(o.pageUrl)}"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
