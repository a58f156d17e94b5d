/**
 * One request to the Docker Engine API (also served by Podman's
 * `podman system service`): `GET /containers/{id}/json` ("ContainerInspect"),
 * over the engine's unix socket or TCP (a socket proxy, or TLS). The answer
 * is read up to a bounded size and parsed.
 */
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { abortReason } from '../shared/errors.ts';

/** An inspect answer is a few KiB; more than this is not an engine talking. */
export const REPLY_LIMIT = 4 << 20;

/** The engine answered with an error status (its JSON `message` is kept). */
export class EngineError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = status === 404 ? 'NotFound' : 'EngineError';
  }
}

/** The reply is not the JSON the API documents. */
export class ReplyError extends Error {
  override name = 'ReplyError';
}

export interface Via {
  /** unix socket path, or a connected socket (TCP/TLS) */
  socketPath?: string;
  socket?: Socket;
  host: string;
}

/** GET `path` and the parsed JSON body. */
export function getJson(via: Via, path: string, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({
      method: 'GET',
      path,
      headers: { Host: via.host, Accept: 'application/json' },
      ...(via.socketPath !== undefined ? { socketPath: via.socketPath } : { createConnection: () => via.socket! }),
    });
    const onAbort = (): void => {
      req.destroy(abortReason(signal));
    };
    const settle = (f: () => void): void => {
      signal.removeEventListener('abort', onAbort);
      f();
    };
    if (signal.aborted) {
      onAbort();
    } else {
      signal.addEventListener('abort', onAbort, { once: true });
    }
    req.on('error', (e) => settle(() => reject(e)));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > REPLY_LIMIT) {
          res.removeAllListeners('data');
          req.destroy();
          settle(() => reject(new ReplyError(`the reply is larger than ${REPLY_LIMIT} bytes`)));
          return;
        }
        chunks.push(d);
      });
      res.on('error', (e) => settle(() => reject(e)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          settle(() => reject(new ReplyError(`HTTP ${res.statusCode}: not JSON: ${text.slice(0, 120)}`)));
          return;
        }
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          const m = (body as { message?: unknown } | null)?.message;
          settle(() => reject(new EngineError(status, typeof m === 'string' ? m.slice(0, 300) : `HTTP ${status}`)));
          return;
        }
        settle(() => resolve({ status, body }));
      });
    });
    req.end();
  });
}
