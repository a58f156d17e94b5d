/**
 * One contract for every registered action type: documented options, a
 * per-send timeout, and against a server that accepts connections and never
 * answers, a send that ends by its timeout with a transient ActionError (the
 * outbox retries it).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { z } from 'zod';
import { actionTypes } from '../../src/actions/registry.ts';
import { ActionError } from '../../src/actions/types.ts';
import { entry, failNote, send } from './helpers.ts';

let silent: Server;
let port = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  port = (silent.address() as AddressInfo).port;
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  silent.close();
});

/** Options that point each type at the silent server. `null`: the type sends nothing over the network. */
const fixtures: Record<string, ((port: number) => Record<string, unknown>) | null> = {
  log: null,
  email: (p) => ({ hostname: '127.0.0.1', port: p, tls: 'none', recipients: ['ops@example.test'] }),
  sms: (p) => ({ url: `http://127.0.0.1:${p}/smsp-in`, recipients: ['61400000000'] }),
  webhook: (p) => ({ url: `http://127.0.0.1:${p}/hook` }),
  ntfy: (p) => ({ server: `http://127.0.0.1:${p}`, topic: 'alerts' }),
  telegram: (p) => ({ apiUrl: `http://127.0.0.1:${p}`, token: '1:A', chatId: 1 }),
  pushover: (p) => ({ apiUrl: `http://127.0.0.1:${p}/1/messages.json`, token: 't', user: 'u' }),
  slack: (p) => ({ url: `http://127.0.0.1:${p}/services/x` }),
};

describe('action contract (every registered type)', () => {
  it('every registered type has a fixture', () => {
    expect(actionTypes.map((t) => t.type).filter((t) => !(t in fixtures))).toEqual([]);
  });

  for (const t of actionTypes) {
    it(`${t.type}: a summary and a description for every option`, () => {
      expect(t.info.summary.length).toBeGreaterThan(10);
      const shape = (t.options as z.ZodObject).shape;
      const undocumented = Object.entries(shape)
        .filter(([, v]) => !(v as z.ZodType).description)
        .map(([k]) => k);
      expect(undocumented).toEqual([]);
    });

    const fixture = fixtures[t.type];
    if (fixture === null || fixture === undefined) continue;
    it(`${t.type}: a timeout option, and a silent server ends the send by it, as a transient error`, async () => {
      expect(Object.keys((t.options as z.ZodObject).shape)).toContain('timeout');
      const err = await send(entry(t.type, { ...fixture(port), timeout: 0.5 }), failNote()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ActionError);
      expect((err as ActionError).permanent).toBe(false);
      expect((err as ActionError).message).toMatch(/timed out|timeout/i);
    });
  }
});
