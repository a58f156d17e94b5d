/**
 * One contract for every check type in the registry (style-anchors "share
 * one contract suite"): against a server that accepts and never answers, a
 * run ends by its timeout (within a second of it), never throws, and returns
 * a well-formed Outcome.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { checkTypes } from '../../src/checks/registry.ts';
import type { Outcome } from '../../src/checks/types.ts';
import { runContext } from '../helpers/run-type.ts';
import { contractFixtures, type Silent } from './contract-fixtures.ts';
import { tempDir } from '../servers/common.ts';

const TIMEOUT_MS = 1500;
let tcp: Server;
let udp: UdpSocket;
const sockets = new Set<Socket>();
let silent: Silent;
let cleanup: () => void;

beforeAll(async () => {
  tcp = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  const t = tempDir('sw-contract-');
  cleanup = t.cleanup;
  silent = { host: '127.0.0.1', port: (tcp.address() as AddressInfo).port, udpPort: udp.address().port, dir: t.dir };
});

afterAll(() => {
  for (const s of sockets) s.destroy();
  tcp.close();
  udp.close();
  cleanup();
});

describe('check contract (every registered type)', () => {
  it('every registered type has a contract fixture', () => {
    const missing = checkTypes.map((t) => t.type).filter((t) => !contractFixtures[t]);
    expect(missing).toEqual([]);
  });

  for (const type of checkTypes) {
    it(`${type.type}: ends by its timeout with a well-formed outcome and never throws`, async () => {
      const fixture = contractFixtures[type.type];
      expect(fixture, 'fixture').toBeDefined();
      const raw = { ...fixture(silent), timeout: TIMEOUT_MS / 1000 };
      const parsed = type.options.safeParse(raw);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), TIMEOUT_MS);
      const started = Date.now();
      let outcome: Outcome | undefined;
      let thrown: unknown;
      try {
        outcome = await type.run(
          parsed.data,
          runContext(controller.signal, type, raw, {
            name: `contract-${type.type}`,
            site: 'contract',
            state: { lastUpdate: Date.now() },
            env: { base: silent.dir, pluginDirs: [silent.dir], sysRoot: silent.dir },
          }),
        );
      } catch (e) {
        thrown = e;
      } finally {
        clearTimeout(timer);
      }
      const elapsed = Date.now() - started;
      expect(thrown).toBeUndefined();
      expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000);
      expect(outcome).toBeDefined();
      expect(typeof outcome!.fail === 'boolean' || typeof outcome!.fail === 'string').toBe(true);
      expect(Array.isArray(outcome!.log)).toBe(true);
      for (const line of outcome!.log) expect(typeof line).toBe('string');
      for (const m of outcome!.metrics ?? []) {
        expect(typeof m.name).toBe('string');
        expect(Number.isFinite(m.value)).toBe(true);
      }
    });
  }
});
