/**
 * Reading a Comet web thermometer (spec §4.12): plain HTTP `GET /event.xml`,
 * status 200, then the text of `vs1` inside the root's direct child `all`,
 * which must end in `°C`.
 */
import { request } from 'node:http';
import { lazyRequire } from '../../util/lazy.ts';
import { abortReason } from '../shared/errors.ts';
import { pyFloat } from './pyfloat.ts';

/** fletchck's one error for every unusable answer. */
export class CometError extends Error {
  constructor() {
    super('Unable to read temperature from XML');
    this.name = 'RuntimeError';
  }
}

/** Largest answer read: a Comet event.xml is a few kilobytes. */
const MAX_BODY = 1024 * 1024;

/** GET /event.xml; resolves with the status and the raw body (at most MAX_BODY bytes). */
export function fetchEventXml(host: string, port: number, signal: AbortSignal): Promise<{ status: number; body: Buffer; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname: host, port, path: '/event.xml', method: 'GET', signal, headers: { accept: 'text/xml, application/xml' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          req.destroy(new Error(`answer larger than ${MAX_BODY} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), contentType: String(res.headers['content-type'] ?? '') }));
      res.on('error', (e) => reject(signal.aborted ? abortReason(signal) : e));
    });
    // node reports an aborted request as a bare AbortError: give the timeout's own reason
    req.on('error', (e) => reject(signal.aborted ? abortReason(signal) : e));
    req.end();
  });
}

/**
 * The document's text: the encoding named in the XML declaration (or the
 * Content-Type charset), as an XML parser would; UTF-8 otherwise. Some
 * devices send windows-1250 or ISO-8859-1, where `°` is the byte 0xB0.
 */
export function decodeXml(body: Buffer, contentType = ''): string {
  const head = body.subarray(0, 200).toString('latin1');
  const label =
    /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1] ?? /charset\s*=\s*"?([A-Za-z0-9._:-]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/** fast-xml-parser, loaded by the first Comet reading (docs/performance.md) */
const fxp = lazyRequire<typeof import('fast-xml-parser')>('fast-xml-parser');
let parser: InstanceType<typeof import('fast-xml-parser').XMLParser> | null = null;
const xmlParser = (): NonNullable<typeof parser> =>
  (parser ??= new (fxp().XMLParser)({
    ignoreAttributes: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    // every element as an array, so one and several children read the same way
    isArray: () => true,
  }));

type Node = Record<string, unknown>;

/** The text of an element: a string, or `#text` beside child elements. */
function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Node)['#text'] === 'string') return (v as Node)['#text'] as string;
  if (v && typeof v === 'object') return '';
  return null;
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : undefined);

/**
 * The °C reading of an event.xml document, as fletchck reads it: root →
 * `all` (a direct child) → `vs1` (a direct child of `all`) whose text ends
 * in `°C`. Trailing `°` and `C` characters are stripped as Python's
 * `rstrip('°C')` does and the rest is read as Python's `float()`.
 */
export function cometCelsius(xml: string): number {
  if (fxp().XMLValidator.validate(xml) !== true) throw new CometError();
  const doc = xmlParser().parse(xml) as Node;
  const roots = Object.keys(doc).filter((k) => !k.startsWith('#') && !k.startsWith('?'));
  if (roots.length !== 1) throw new CometError();
  const root = first(doc[roots[0]]);
  if (!root || typeof root !== 'object') throw new CometError();
  const all = first((root as Node).all);
  if (!all || typeof all !== 'object') throw new CometError();
  const vs1 = (all as Node).vs1;
  if (vs1 === undefined) throw new CometError();
  const text = textOf(first(vs1));
  if (text === null || !text.endsWith('\u00b0C')) throw new CometError();
  const t = pyFloat(text.replace(/[\u00b0C]+$/, ''));
  // "nan°C" would pass every comparison (NaN > level is false): not a reading
  if (!Number.isFinite(t)) throw new CometError();
  return t;
}
