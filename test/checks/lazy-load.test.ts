/**
 * Heavy libraries are loaded only by the sites that use them: importing the
 * registry and loading options of the snmp, browser and https checks loads
 * neither net-snmp, playwright-core nor the JSONPath library; an https
 * `expectJson` option loads only the JSONPath parser (to check the queries at
 * load). Run in a fresh process, reading Node's module cache.
 */
import { it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';

const script = `
import { createRequire } from 'node:module';
const { checkType } = await import('./src/checks/registry.ts');
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules\\/(net-snmp|playwright-core|jsonpath-rfc9535)\\//.test(k)).map((k) => k.split('node_modules/')[1].split('/')[0]);
const seen = {};
checkType('snmp').options.parse({ hostname: 'h', oids: [{ oid: '1.3.6.1.2.1.1.5.0' }] });
checkType('browser').options.parse({ url: 'http://h/' });
checkType('https').options.parse({ hostname: 'h' });
checkType('docker').options.parse({ container: 'web' });
seen.options = [...new Set(loaded())];
checkType('https').options.parse({ hostname: 'h', expectJson: [{ path: '$.status', equals: 'ok' }] });
seen.expectJson = [...new Set(loaded())];
await import('net-snmp');
seen.control = [...new Set(loaded())];
console.log(JSON.stringify(seen));
`;

it('net-snmp, playwright-core and jsonpath-rfc9535 stay unloaded until a check needs them', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, string[]>;
  expect(seen.options).toEqual([]);
  expect(seen.expectJson).toEqual(['jsonpath-rfc9535']);
  // the control: a library that is loaded shows up
  expect(seen.control).toContain('net-snmp');
});
