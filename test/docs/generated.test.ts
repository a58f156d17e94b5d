/**
 * The README's check/action tables and site.schema.json are generated from
 * the registries; this fails when a committed copy is stale (fix: npm run docs).
 * site.example.json must show every check type and load without problems.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generated } from '../../scripts/gen-docs.ts';
import { checkTypes } from '../../src/checks/registry.ts';
import { parseSiteText } from '../../src/config/parse.ts';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { PROJECT_ROOT } from '../../src/version.ts';

describe('generated documentation', () => {
  for (const f of generated()) {
    it(`${f.path.slice(PROJECT_ROOT.length + 1)} is up to date (npm run docs)`, () => {
      expect(readFileSync(f.path, 'utf8')).toBe(f.text);
    });
  }

  it('site.example.json uses every check type, references the schema and loads without problems', () => {
    const text = readFileSync(join(PROJECT_ROOT, 'site.example.json'), 'utf8');
    const p = parseSiteText(text);
    const site = validateSite(p.doc, { base: PROJECT_ROOT }, p.issues);
    expect(site.issues.map(formatIssue)).toEqual([]);
    expect((p.doc as { $schema: string }).$schema).toBe('./site.schema.json');
    const used = new Set([...site.checks.values()].map((c) => c.config.type));
    expect(checkTypes.map((t) => t.type).filter((t) => !used.has(t))).toEqual([]);
  });
});
