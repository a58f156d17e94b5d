/**
 * The README a new user reads first: its prerequisites match package.json,
 * and its quick start is the path test/e2e/newcomer.test.ts takes (the same
 * commands, port, words on the page).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/version.ts';
import { DEFAULT_WEBUI_PORT } from '../../src/config/init.ts';

const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const section = (title: string): string => {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, title).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
};

describe('README', () => {
  it('lists the prerequisites: the Node version package.json requires, and when a C++ toolchain is needed', () => {
    const engines = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const min = /^>=(\d+\.\d+)$/.exec(engines)![1];
    const p = section('Prerequisites');
    expect(p).toContain(`Node.js ${min} or newer`);
    expect(p).toMatch(/C\+\+ toolchain only where npm finds no prebuilt binary/);
  });

  it("has a quick start that is the newcomer test's path", () => {
    const q = section('Quick start');
    const e2e = readFileSync(join(PROJECT_ROOT, 'test/e2e/newcomer.test.ts'), 'utf8');
    expect(q).toContain('npm install && npm start');
    expect(q).toContain(`https://localhost:${DEFAULT_WEBUI_PORT}`);
    for (const words of ['User name:', 'Password:', 'Get started', 'Add a check', 'Add a notification', 'Hostname', 'every minute', 'PASS', 'FAIL', 'Log']) {
      expect(q, words).toContain(words);
    }
    for (const step of ['Add a notification', 'Add a check', 'insertText(targetUrl)', "toBe('PASS')", "toBe('FAIL')", '/log', 'site/site.json'])
      expect(e2e, step).toContain(step);
    expect(q).toContain('test/e2e/newcomer.test.ts');
  });
});
