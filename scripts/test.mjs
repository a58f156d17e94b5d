#!/usr/bin/env node
// `npm test`: type-check everything, lint, build (spawned-process tests run
// dist/), run every test, and end with the plain line
// `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const args = process.argv.slice(2);
const step = (name, cmd, cmdArgs) => {
  process.stderr.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
  return r.status === 0;
};

let failedSteps = 0;
if (!step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'])) failedSteps++;
if (!step('lint', 'npx', ['eslint', '.'])) failedSteps++;
if (!step('imports', 'node', ['scripts/check-imports.mjs'])) failedSteps++;
if (!step('format', 'npm', ['run', '--silent', 'format:check'])) failedSteps++;
// tsc's dist/src and dist/views, then the bundled daemon (dist/bin/siteward.js, dist/bundle/)
if (!step('build', 'npm', ['run', '--silent', 'build'])) failedSteps++;

const out = '.vitest-results.json';
rmSync(out, { force: true });
const ok = step('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...args]);

let passed = 0;
let failed = failedSteps;
let skipped = 0;
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed = r.numPassedTests;
  failed += r.numFailedTests;
  // a file that throws at import reports no failed test: count it
  if (r.numFailedTests === 0 && r.numFailedTestSuites > 0) failed += r.numFailedTestSuites;
  skipped = r.numPendingTests + r.numTodoTests;
} catch {
  failed += 1;
}
if (!ok && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
