/**
 * The broker a describe block's zone tests share (a Mosquitto, a NATS
 * cluster) and the nodes they open on it: the broker starts in beforeAll and
 * closes in afterAll; the nodes stop before it, after each test
 * (`stopNodes: 'each'`) or after them all. Teardown stays bounded: a node's
 * stop is (the zone's STOP_GRACE_MS, federation/close.ts), and the broker's
 * close kills its daemons.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface ZoneBroker<B, N> {
  /** the broker, once beforeAll has started it */
  readonly broker: B;
  /** the nodes a test opened, stopped at the end; a test may replace the list (a node it stopped itself) */
  nodes: N[];
}

export function zoneBroker<B extends { close(): Promise<void> }, N extends { stop(): Promise<void> }>(
  start: () => Promise<B>,
  o: { stopNodes: 'each' | 'all'; ready?: (b: B) => Promise<void>; startTimeoutMs?: number },
): ZoneBroker<B, N> {
  let broker: B | undefined;
  const fx: ZoneBroker<B, N> = {
    get broker(): B {
      if (!broker) throw new Error('the broker has not started (beforeAll)');
      return broker;
    },
    nodes: [],
  };
  const stopNodes = async (): Promise<void> => {
    await Promise.all(fx.nodes.map((n) => n.stop()));
    fx.nodes = [];
  };
  beforeAll(async () => {
    broker = await start();
    // a broker that never gets ready is still closed (afterAll)
    await o.ready?.(broker);
  }, o.startTimeoutMs);
  afterAll(async () => {
    if (o.stopNodes === 'all') await stopNodes();
    await broker?.close();
  });
  if (o.stopNodes === 'each') afterEach(stopNodes);
  return fx;
}
