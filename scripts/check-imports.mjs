#!/usr/bin/env node
// The import rules of docs/architecture.md, checked on every `npm test` and `npm run lint`:
// 1. no import cycles in src/ and views/ (type-only imports count: a cycle of
//    types is still two modules that cannot be understood apart);
// 2. views/ imports from src/ only src/web/view-data.ts (page-data types and
//    display helpers);
// 3. src/ never imports views/: the pages are handed in at start-up
//    (bin/siteward.ts hands views/index.ts to src/web/pages.ts; the routes and
//    render.tsx draw through deps.pages). bin/ is the one place that sees both.
// Dynamic `import()` is not an edge: it loads late, by design (wiring.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const files = [];
const walk = (d) => {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.tsx?$/.test(n) && !n.endsWith('.d.ts')) files.push(p);
  }
};
walk(join(root, 'bin'));
walk(join(root, 'src'));
walk(join(root, 'views'));
const known = new Set(files);

const rel = (p) => relative(root, p);
const edges = new Map();
const problems = [];
for (const f of files) {
  const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, false, f.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out = new Set();
  for (const s of sf.statements) {
    const spec =
      (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : null;
    if (!spec || !spec.startsWith('.')) continue;
    const target = resolve(dirname(f), spec);
    if (!known.has(target)) continue;
    out.add(target);
    const from = rel(f);
    const to = rel(target);
    if (from.startsWith('views/') && to.startsWith('src/') && to !== 'src/web/view-data.ts') {
      problems.push(`${from} imports ${to}: views/ may import only src/web/view-data.ts from src/`);
    }
    if (from.startsWith('src/') && to.startsWith('views/')) {
      problems.push(`${from} imports ${to}: src/ never imports views/ (the pages are handed in: src/web/pages.ts)`);
    }
  }
  edges.set(f, out);
}

// Tarjan's strongly connected components: every component of more than one file is a cycle
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const on = new Set();
const strong = (v) => {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || edges.get(v)?.has(v)) problems.push(`import cycle: ${comp.map(rel).sort().join(' <-> ')}`);
  }
};
for (const f of files) if (!idx.has(f)) strong(f);

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`imports: ${files.length} files, no cycles, views/ and src/ apart`);
