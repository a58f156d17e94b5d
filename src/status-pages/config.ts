/**
 * `statusPages` in the site file (issue 22, docs/status-pages.md): public or
 * signed-in status pages, each a list of groups of checks. Only what the
 * page's author writes here is shown: names as given (a group's label and
 * each check's display name), never a check's host, options or log.
 */
import { z } from 'zod';
import { fromZod, quoteName, type Issue } from '../config/issues.ts';

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const StatusCheckSchema = z
  .union([
    z.string().min(1).max(1024),
    z.strictObject({
      check: z.string().min(1).max(1024).describe("the check's name in the site file"),
      label: z.string().min(1).max(200).optional().describe("the name visitors see (default: the check's name)"),
    }),
  ])
  .describe('a check by name, or { check, label } to show it under another name');

export const StatusGroupSchema = z.strictObject({
  name: z.string().min(1).max(200).describe("the group's heading"),
  checks: z.array(StatusCheckSchema).max(500).default([]),
});

export const StatusPageSchema = z
  .strictObject({
    slug: z
      .string()
      .regex(SLUG, 'lower-case letters, digits and "-" (at most 63, not starting or ending with "-")')
      .refine((s) => s !== 'new', 'the slug "new" is taken by the form for a new page')
      .describe('the page is served at /status/<slug>'),
    title: z.string().min(1).max(200).describe("the page's heading"),
    description: z.string().max(2000).default('').describe('a paragraph under the heading'),
    logo: z
      .string()
      .max(2048)
      .regex(/^(\/[^/\\]|data:image\/)/, "a path on this server (/…) or a data:image URL (the page's CSP allows no other origin)")
      .nullable()
      .default(null)
      .describe('an image shown beside the title'),
    public: z.boolean().default(false).describe('true: anyone may read the page without signing in; false: signed-in users only'),
    responseTime: z.boolean().default(true).describe("show each check's last response time"),
    groups: z.array(StatusGroupSchema).max(100).default([]),
  })
  .describe('a status page (docs/status-pages.md)');

export const StatusPagesSchema = z
  .array(StatusPageSchema)
  .max(100)
  .default([])
  .describe('siteward: status pages served at /status/<slug> (docs/status-pages.md)');

export type StatusPageConfig = z.output<typeof StatusPageSchema>;
export interface StatusCheckRef {
  check: string;
  label: string;
}

/** A group's checks as { check, label }. */
export function checkRefs(g: StatusPageConfig['groups'][number]): StatusCheckRef[] {
  return g.checks.map((c) => (typeof c === 'string' ? { check: c, label: c } : { check: c.check, label: c.label ?? c.check }));
}

/**
 * Validates `statusPages`: the schema (each problem at its JSON path),
 * unique slugs, and a warning for each check name that is not in the site
 * (it is shown as "unknown" until it is: renaming a check is not refused
 * because a page names it).
 */
export function validateStatusPages(raw: unknown, checkNames: ReadonlySet<string>): { pages: StatusPageConfig[]; issues: Issue[] } {
  if (raw === undefined || raw === null) return { pages: [], issues: [] };
  const r = StatusPagesSchema.safeParse(raw);
  if (!r.success) return { pages: [], issues: fromZod(r.error, raw, ['statusPages']) };
  const issues: Issue[] = [];
  const seen = new Set<string>();
  r.data.forEach((p, i) => {
    if (seen.has(p.slug))
      issues.push({ path: ['statusPages', i, 'slug'], message: `another status page already uses the slug ${quoteName(p.slug)}`, severity: 'error' });
    seen.add(p.slug);
    p.groups.forEach((g, j) =>
      checkRefs(g).forEach((c, k) => {
        if (!checkNames.has(c.check)) {
          issues.push({
            path: ['statusPages', i, 'groups', j, 'checks', k],
            message: `unknown check ${quoteName(c.check)} (shown as unknown)`,
            severity: 'warning',
          });
        }
      }),
    );
  });
  const bad = issues.some((x) => x.severity === 'error');
  return { pages: bad ? [] : r.data, issues };
}
