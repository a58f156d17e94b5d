/**
 * `temp` (spec §4.12, §3.3): a Comet-shaped event.xml served by a real HTTP
 * server on 127.0.0.1, and hwmon fixture trees for local sensors.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temp } from '../../../src/checks/temp/index.ts';
import { freePort, tempDir } from '../../servers/common.ts';
import { runType, passing } from '../hostctx.ts';

/** An event.xml shaped like a Comet web sensor's (root → head, all → vs1…, channels). */
function eventXml(vs1: string, opts: { encoding?: string; allWrapper?: boolean } = {}): string {
  const all = `<dt>22.11.2026 13:05:41</dt>\n  <vs1>${vs1}</vs1>\n  <vs2>45.2%RH</vs2>\n  <vs3>10.8${'\u00b0'}C</vs3>\n  <al1>no</al1>`;
  const body = opts.allWrapper === false ? `<values>\n  <all>\n  ${all}\n  </all>\n </values>` : ` <all>\n  ${all}\n </all>`;
  return `<?xml version="1.0" encoding="${opts.encoding ?? 'UTF-8'}"?>\n<root>\n <head>\n  <name>Server room</name>\n  <type>T0510</type>\n  <sn>18942015</sn>\n </head>\n${body}\n <ch1><name>Temperature</name><unit>${'\u00b0'}C</unit><aval>${vs1}</aval></ch1>\n</root>\n`;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let port: number;
const paths: string[] = [];
const serve =
  (status: number, body: string | Buffer, type = 'text/xml'): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  paths.length = 0;
});

const comet = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ hostname: '127.0.0.1', port, ...extra });
const DEG = '\u00b0C';

describe('temp: Comet web thermometer over HTTP', () => {
  it("reads vs1 from GET /event.xml: fletchck's log line, level and a metric", async () => {
    handler = serve(200, eventXml(`23.4${DEG}`));
    const r = await runType(temp, comet());
    expect(paths).toEqual(['GET /event.xml']);
    expect(r.fail).toBe(false);
    expect(r.log).toEqual([`127.0.0.1: 23.4${DEG} Target: 50${DEG}`]);
    expect(r.level).toBe(`23.4${DEG}`);
    expect(r.metrics).toEqual([{ name: 'temperature', value: 23.4, unit: DEG, crit: 50 }]);
  });

  it('applies the level and hysteresis rule of §3.3', async () => {
    const at = async (t: string, failing: boolean): Promise<boolean | string> => {
      handler = serve(200, eventXml(`${t}${DEG}`));
      return (await runType(temp, comet({ temperature: 30, hysteresis: 2 }), { state: failing ? {} : passing })).fail;
    };
    expect(await at('30.0', false)).toBe(false); // not above the level
    expect(await at('30.1', false)).toBe(true);
    expect(await at('29.0', true)).toBe(true); // failing: must drop below 28
    expect(await at('28.0', true)).toBe(true);
    expect(await at('27.9', true)).toBe(false);
  });

  it('reads windows-1250 documents, where ° is one byte', async () => {
    const xml = eventXml(`-5.5${DEG}`, { encoding: 'windows-1250' });
    handler = serve(200, Buffer.from(xml, 'latin1'));
    const r = await runType(temp, comet());
    expect(r.log).toEqual([`127.0.0.1: -5.5${DEG} Target: 50${DEG}`]);
  });

  const unreadable = `127.0.0.1 RuntimeError: Unable to read temperature from XML`;
  it.each([
    ['°F', () => serve(200, eventXml('74.1\u00b0F'))],
    ['no vs1', () => serve(200, eventXml(`23.4${DEG}`).replace(/<vs1>.*<\/vs1>/, ''))],
    ['all not a direct child of the root', () => serve(200, eventXml(`23.4${DEG}`, { allWrapper: false }))],
    ['not XML', () => serve(200, 'temperature=23.4')],
    ['a 404 with a valid document', () => serve(404, eventXml(`23.4${DEG}`))],
    ['a 500', () => serve(500, 'oops', 'text/plain')],
    ['nan°C', () => serve(200, eventXml(`nan${DEG}`))],
  ])('%s → "Unable to read temperature from XML"', async (_name, make) => {
    handler = make();
    const r = await runType(temp, comet(), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([unreadable]);
    expect(r.level).toBeNull();
  });

  it("a value that is not a number gives Python's ValueError line", async () => {
    handler = serve(200, eventXml(`Error${DEG}`));
    const r = await runType(temp, comet(), { state: passing });
    expect(r.log).toEqual(["127.0.0.1 ValueError: could not convert string to float: 'Error'"]);
  });

  it('a thermometer that never answers fails at the timeout', async () => {
    handler = () => undefined; // holds the request open
    const r = await runType(temp, comet({ timeout: 0.5 }), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual(['127.0.0.1 TimeoutError: no result within 0.5 s']);
  });

  it('an oversized answer is refused, not buffered', async () => {
    handler = serve(200, Buffer.alloc(3 * 1024 * 1024, 0x20));
    const r = await runType(temp, comet(), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log[0]).toMatch(/^127\.0\.0\.1 Error: answer larger than/);
  });

  it('nothing listening: the connection error', async () => {
    const closed = await freePort();
    const r = await runType(temp, { hostname: '127.0.0.1', port: closed }, { state: passing });
    expect(r.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${closed}`]);
  });
});

describe('temp: local hwmon sensors (fixture sysfs trees)', () => {
  let root: string;
  let cleanup: () => void;
  const chip = (n: number, name: string, sensors: Record<number, [string | null, string]>): void => {
    const d = join(root, 'class', 'hwmon', `hwmon${n}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'name'), `${name}\n`);
    for (const [i, [label, milli]] of Object.entries(sensors)) {
      if (label !== null) writeFileSync(join(d, `temp${i}_label`), `${label}\n`);
      writeFileSync(join(d, `temp${i}_input`), `${milli}\n`);
    }
  };
  beforeAll(() => {
    ({ dir: root, cleanup } = tempDir('sw-hwmon-'));
    chip(0, 'acpitz', { 1: [null, '27800'] });
    chip(1, 'coretemp', { 1: ['Package id 0', '61000'], 2: ['Core 0', '58000'], 3: ['Core 1', '59500'] });
    chip(10, 'nvme', { 1: ['Composite', '-1500'] });
    mkdirSync(join(root, 'class', 'hwmon', 'hwmon2'), { recursive: true });
    writeFileSync(join(root, 'class', 'hwmon', 'hwmon2', 'name'), 'BAT0\n'); // no temperature
  });
  afterAll(() => cleanup());
  const hw = (extra: Record<string, unknown>): Record<string, unknown> => ({ source: 'hwmon', ...extra });
  const env = (): { env: { sysRoot: string } } => ({ env: { sysRoot: root } });

  it("reads a chip's labelled sensor in millidegrees", async () => {
    const r = await runType(temp, hw({ chip: 'coretemp', label: 'Package id 0', temperature: 80 }), env());
    expect(r.fail).toBe(false);
    expect(r.log).toEqual([`coretemp/Package id 0: 61.0${DEG} Target: 80${DEG}`]);
    expect(r.level).toBe(`61.0${DEG}`);
  });

  it("without chip or label: the first chip's first sensor", async () => {
    const r = await runType(temp, hw({}), env());
    expect(r.log).toEqual([`acpitz/temp1: 27.8${DEG} Target: 50${DEG}`]);
  });

  it('matches a chip by folder name and a sensor by tempN; below-zero readings', async () => {
    const r = await runType(temp, hw({ chip: 'hwmon10', label: 'temp1' }), env());
    expect(r.log).toEqual([`nvme/Composite: -1.5${DEG} Target: 50${DEG}`]);
  });

  it('same hysteresis rule as the thermometer', async () => {
    const o = hw({ chip: 'coretemp', label: 'Core 1', temperature: 60, hysteresis: 5 });
    expect((await runType(temp, o, { ...env(), state: passing })).fail).toBe(false); // 59.5 ≤ 60
    expect((await runType(temp, o, env())).fail).toBe(true); // failing: needs < 55
  });

  it('names what exists when the chip or label is wrong', async () => {
    const a = await runType(temp, hw({ chip: 'k10temp' }), env());
    expect(a.fail).toBe(true);
    expect(a.log).toEqual(['k10temp RuntimeError: no hwmon chip named "k10temp" (found: acpitz, coretemp, BAT0, nvme)']);
    const b = await runType(temp, hw({ chip: 'coretemp', label: 'Core 9' }), env());
    expect(b.log).toEqual(['coretemp RuntimeError: no temperature sensor labelled "Core 9" on coretemp']);
  });

  it('a machine without hwmon (like this VM) says so', async () => {
    const r = await runType(temp, hw({}), { env: { sysRoot: join(root, 'nothing') } });
    expect(r.fail).toBe(true);
    expect(r.log[0]).toMatch(/^hwmon RuntimeError: no hwmon sensors on this machine/);
  });
});
