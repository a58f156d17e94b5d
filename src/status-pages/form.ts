/**
 * The status page form: a page's settings as form values and back. Groups
 * are one text box: a line starting with "#" starts a group (its heading
 * follows), every other line names a check; `check name => Label` shows
 * the check under another name.
 */
import { checkRefs, type StatusPageConfig } from './config.ts';

const ARROW = ' => ';

export function groupsText(groups: StatusPageConfig['groups']): string {
  return groups
    .map((g) => [`# ${g.name}`, ...checkRefs(g).map((r) => (r.label === r.check ? r.check : `${r.check}${ARROW}${r.label}`))].join('\n'))
    .join('\n\n');
}

/** Reads the groups text; an error names the line. */
export function parseGroups(text: string): { groups: Record<string, unknown>[]; error: string | null } {
  const groups: { name: string; checks: (string | { check: string; label: string })[] }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const name = line.replace(/^#+/, '').trim();
      if (!name) return { groups, error: `line ${i + 1}: a group heading needs a name after "#"` };
      groups.push({ name, checks: [] });
      continue;
    }
    if (!groups.length) return { groups, error: `line ${i + 1}: start with a group heading, e.g. "# Services"` };
    const at = line.indexOf(ARROW.trim());
    const check = at < 0 ? line : line.slice(0, at).trim();
    const label = at < 0 ? '' : line.slice(at + ARROW.trim().length).trim();
    groups[groups.length - 1].checks.push(label && label !== check ? { check, label } : check);
  }
  return { groups, error: null };
}

export function pageValues(p: StatusPageConfig | null): Record<string, string> {
  if (!p) return { slug: '', title: '', description: '', logo: '', public: '', responseTime: 'on', groups: '# Services\n' };
  return {
    slug: p.slug,
    title: p.title,
    description: p.description,
    logo: p.logo ?? '',
    public: p.public ? 'on' : '',
    responseTime: p.responseTime ? 'on' : '',
    groups: groupsText(p.groups),
  };
}

/** The page as it goes into the site file (validated by the loader). */
export function pageFromForm(v: (k: string) => string): { page: Record<string, unknown>; errors: Record<string, string> } {
  const g = parseGroups(v('groups'));
  const errors: Record<string, string> = g.error ? { groups: g.error } : {};
  const logo = v('logo').trim();
  return {
    page: {
      slug: v('slug').trim(),
      title: v('title').trim(),
      description: v('description').trim(),
      logo: logo || null,
      public: v('public') !== '',
      responseTime: v('responseTime') !== '',
      groups: g.groups,
    },
    errors,
  };
}
