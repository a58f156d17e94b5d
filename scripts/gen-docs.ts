/**
 * Generates the parts of the docs that come from the registries:
 * - README.md: the check-type and action-type tables (between markers),
 * - site.schema.json: the JSON Schema of the site file.
 * `--check` exits 1 when a generated file is out of date (used by a test).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTypes } from '../src/checks/registry.ts';
import { actionTypes } from '../src/actions/registry.ts';
import { optionRows, siteJsonSchema } from '../src/config/jsonschema.ts';
import { marksOf, slotOptions } from '../src/config/marks.ts';
import { PROJECT_ROOT } from '../src/version.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function optionsTable(schema: Parameters<typeof optionRows>[0]): string {
  const rows = optionRows(schema);
  if (rows.length === 0) return '_No options._\n';
  // options marked hostAccess, or holding a value so marked (src/config/marks.ts): only an administrator may change them
  const host = slotOptions(marksOf(schema).hostAccess);
  const meaning = (r: { name: string; description: string }): string => `${host.has(r.name) ? '**Admin only.** ' : ''}${cell(r.description)}`;
  return (
    [
      '| option | type | default | meaning |',
      '|---|---|---|---|',
      ...rows.map((r) => `| \`${r.name}\` | ${r.type.replace(/(?<!\\)\|/g, '\\|')} | ${r.dflt ? `\`${cell(r.dflt)}\`` : ''} | ${meaning(r)} |`),
    ].join('\n') + '\n'
  );
}

export function checksSection(): string {
  const out: string[] = ['| type | what it checks | passes when | fletchck |', '|---|---|---|---|'];
  for (const t of checkTypes)
    out.push(`| [\`${t.type}\`](#check-${t.type}) | ${cell(t.info.summary)} | ${cell(t.info.pass)} | ${t.info.fletchck ? 'yes' : 'new'} |`);
  out.push('');
  for (const t of checkTypes) {
    const timeout = t.defaultTimeout === null ? '' : ` Default timeout ${t.defaultTimeout} s.`;
    out.push(`<a id="check-${t.type}"></a>`, `#### \`${t.type}\``, '', `${t.info.summary} Passes when ${t.info.pass}${timeout}`, '', optionsTable(t.options));
  }
  return out.join('\n');
}

export function actionsSection(): string {
  const out: string[] = ['| type | what it does | fletchck |', '|---|---|---|'];
  for (const t of actionTypes) out.push(`| [\`${t.type}\`](#action-${t.type}) | ${cell(t.info.summary)} | ${t.info.fletchck ? 'yes' : 'new'} |`);
  out.push('');
  for (const t of actionTypes) out.push(`<a id="action-${t.type}"></a>`, `#### \`${t.type}\``, '', t.info.summary, '', optionsTable(t.options));
  return out.join('\n');
}

function replaceBetween(text: string, marker: string, body: string): string {
  const start = `<!-- generated:${marker} -->`;
  const end = `<!-- /generated:${marker} -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

export function generated(): { path: string; text: string }[] {
  const readmePath = join(PROJECT_ROOT, 'README.md');
  let readme = readFileSync(readmePath, 'utf8');
  readme = replaceBetween(readme, 'checks', checksSection());
  readme = replaceBetween(readme, 'actions', actionsSection());
  return [
    { path: readmePath, text: readme },
    { path: join(PROJECT_ROOT, 'site.schema.json'), text: `${JSON.stringify(siteJsonSchema(), null, 2)}\n` },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const f of generated()) {
    let current = '';
    try {
      current = readFileSync(f.path, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current === f.text) continue;
    stale++;
    if (check) console.error(`${f.path} is out of date: run npm run docs`);
    else writeFileSync(f.path, f.text);
  }
  process.exit(check && stale ? 1 : 0);
}
