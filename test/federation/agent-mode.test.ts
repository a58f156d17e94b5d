/**
 * Agent mode as documented in docs/federation.md: the example pair of site
 * files, pointed at a test broker, really works — the agent publishes its
 * local checks, the central instance autoadds and mirrors them — and the
 * documentation shows exactly these files.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { openSite, until, type TestSite } from './helpers.ts';
import { stableClientId } from '../../src/federation/options.ts';

const read = (p: string): string => readFileSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), 'utf8');
const AGENT = 'docs/examples/federation-agent.json';
const CENTRAL = 'docs/examples/federation-central.json';

let broker: AedesBroker;
const sites: TestSite[] = [];
const subscriptions = new Map<string, string[]>();
beforeAll(async () => {
  broker = await startAedes();
  broker.broker.on('subscribe', (subs, client) => subscriptions.set(client.id, [...(subscriptions.get(client.id) ?? []), ...subs.map((s) => s.topic)]));
});
afterAll(async () => {
  for (const t of sites) await t.stop();
  await broker?.close();
});

/** The example file with its broker replaced by the test broker (no TLS, no credentials). */
function atTestBroker(path: string): Record<string, unknown> {
  const doc = JSON.parse(read(path)) as Record<string, unknown>;
  return { ...doc, webui: null, mqtt: { ...(doc.mqtt as object), hostname: '127.0.0.1', port: broker.port, tls: false, username: null, password: null } };
}

it('the documentation shows the example site files verbatim', () => {
  const md = read('docs/federation.md');
  for (const f of [AGENT, CENTRAL]) expect(md).toContain(read(f).trim());
});

it('an agent with only local checks publishes them; the central instance autoadds and mirrors them', async () => {
  const central = await openSite(atTestBroker(CENTRAL));
  sites.push(central);
  await until(() => central.fed.connected, 5000, 'central connected');
  const agent = await openSite(atTestBroker(AGENT));
  sites.push(agent);
  const names = ['web-1 cpu', 'web-1 memory', 'web-1 root'];
  // the agent's interval triggers fire about a second after start
  await expect.poll(() => names.every((n) => central.site.entry(n) && central.site.state(n).lastCheck !== null), { timeout: 15_000 }).toBe(true);
  for (const n of names) {
    expect(central.site.state(n).log).toEqual(agent.site.state(n).log);
    expect(central.site.state(n).failState).toBe(agent.site.state(n).failState);
    expect(central.site.state(n).lastCheck).toBe(agent.site.state(n).lastCheck);
  }
  const checks = central.file().checks as Record<string, Record<string, unknown>>;
  expect(checks['web-1 cpu']).toMatchObject({ type: 'remote', subType: 'cpu', actions: [] });
  expect(checks['web-1 memory']).toMatchObject({ type: 'remote', subType: 'memory' });
  // the declared one keeps its timeout and actions
  expect(checks['web-1 root']).toMatchObject({ type: 'remote', subType: 'disk', options: { timeout: 900 }, actions: ['ops log'] });
  // an agent mirrors nothing, so it subscribes to nothing: write access to its topics is all it needs
  expect(subscriptions.get(stableClientId(agent.configPath)) ?? []).toEqual([]);
  expect(subscriptions.get(stableClientId(central.configPath))).toEqual(expect.arrayContaining(['fleet/#', 'siteward/status/+']));
}, 30_000);
