/** `statusPages` in the site file: each problem at its JSON path, unknown checks warned, the form's groups text. */
import { describe, it, expect } from 'vitest';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { parseGroups, groupsText, pageFromForm } from '../../src/status-pages/form.ts';

const checks = { web: { type: 'memory', options: { level: 100 } }, mail: { type: 'memory', options: { level: 100 } } };
const load = (statusPages: unknown) => validateSite({ checks, statusPages }, { base: '/tmp' });

describe('statusPages', () => {
  it('loads a page with defaults filled in', () => {
    const l = load([{ slug: 'main', title: 'Our services', groups: [{ name: 'Web', checks: ['web', { check: 'mail', label: 'Email' }] }] }]);
    expect(l.issues).toEqual([]);
    expect(l.settings.statusPages).toEqual([
      {
        slug: 'main',
        title: 'Our services',
        description: '',
        logo: null,
        public: false,
        responseTime: true,
        groups: [{ name: 'Web', checks: ['web', { check: 'mail', label: 'Email' }] }],
      },
    ]);
  });

  it('names the path of a bad slug, a missing title and an unknown key', () => {
    const l = load([{ slug: 'Bad Slug', groups: [], hostnames: true }]);
    const text = l.issues.map(formatIssue).join('\n');
    expect(text).toMatch(/statusPages\[0\]\.slug/);
    expect(text).toMatch(/statusPages\[0\]\.title/);
    expect(text).toMatch(/hostnames/);
    expect(l.issues.every((i) => i.severity === 'error')).toBe(true);
    expect(l.settings.statusPages).toEqual([]);
    // the checks still load
    expect(l.checks.get('web')?.active).toBe(true);
  });

  it('refuses two pages with one slug, and the slug "new"', () => {
    const dup = load([
      { slug: 'a', title: 'A' },
      { slug: 'a', title: 'B' },
    ]);
    expect(dup.issues.map(formatIssue).join('\n')).toMatch(/statusPages\[1\]\.slug.*already uses/);
    expect(
      load([{ slug: 'new', title: 'N' }])
        .issues.map(formatIssue)
        .join('\n'),
    ).toMatch(/statusPages\[0\]\.slug/);
  });

  it('warns about a check the site does not have (the page still loads)', () => {
    const l = load([{ slug: 'a', title: 'A', groups: [{ name: 'G', checks: ['web', 'gone'] }] }]);
    expect(l.issues).toHaveLength(1);
    expect(l.issues[0]).toMatchObject({ severity: 'warning', path: ['statusPages', 0, 'groups', 0, 'checks', 1] });
    expect(l.settings.statusPages).toHaveLength(1);
  });

  it('accepts a local or data: logo only (the page CSP allows no other origin)', () => {
    expect(load([{ slug: 'a', title: 'A', logo: '/s/logo.png' }]).issues).toEqual([]);
    expect(
      load([{ slug: 'a', title: 'A', logo: 'https://cdn.example/logo.png' }])
        .issues.map(formatIssue)
        .join(),
    ).toMatch(/statusPages\[0\]\.logo/);
  });
});

describe('the groups text of the form', () => {
  it('reads headings, names and labels, and writes the same text back', () => {
    const text = '# Web\nweb\nmail => Email\n\n# Other\n';
    const g = parseGroups(text);
    expect(g).toEqual({
      groups: [
        { name: 'Web', checks: ['web', { check: 'mail', label: 'Email' }] },
        { name: 'Other', checks: [] },
      ],
      error: null,
    });
    expect(groupsText(g.groups as never)).toBe('# Web\nweb\nmail => Email\n\n# Other');
  });

  it('names the line of a check before any heading', () => {
    expect(parseGroups('\nweb\n').error).toMatch(/^line 2: start with a group heading/);
    const f = pageFromForm((k) => (({ slug: 'a', title: 'A', groups: 'web' }) as Record<string, string>)[k] ?? '');
    expect(f.errors.groups).toMatch(/line 1/);
  });
});
