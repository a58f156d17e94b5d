/**
 * The site file's `remoteWrite` key (issue 23 "Metrics out", docs/metrics.md):
 * where siteward pushes its check results and metrics with Prometheus
 * remote-write 1.0 (https://prometheus.io/docs/specs/remote_write_spec/).
 * Header values and the basic-auth password are secrets (marked with
 * `secret()`, so redaction and the config issues hide them; src/config/marks.ts).
 */
import { z } from 'zod';
import { secret } from '../../actions/shared/options.ts';

/** Prometheus label names (data model: [a-zA-Z_][a-zA-Z0-9_]*; `__` is reserved). */
const labelName = z
  .string()
  .max(128)
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name: letters, digits and _, not starting with a digit')
  .refine((s) => !s.startsWith('__'), 'names starting with __ are reserved by Prometheus');

const headerName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name (RFC 9110 token)');

/** Headers siteward sets itself (spec: Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version). */
const RESERVED_HEADERS = new Set(['content-encoding', 'content-type', 'content-length', 'x-prometheus-remote-write-version', 'host']);

export const RemoteWriteSchema = z
  .looseObject({
    url: z
      .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
      .max(2048)
      .describe('the receiver, e.g. http://prometheus:9090/api/v1/write (Prometheus with --web.enable-remote-write-receiver)'),
    headers: z
      .record(headerName, secret('header value'))
      .refine((h) => Object.keys(h).length <= 32, 'at most 32 headers')
      .refine(
        (h) => !Object.keys(h).some((k) => RESERVED_HEADERS.has(k.toLowerCase())),
        'siteward sets Content-Type, Content-Encoding and the version header itself',
      )
      .default({})
      .describe('extra request headers, name → value (e.g. a bearer token)'),
    basicAuth: z
      .looseObject({
        username: z.string().min(1).max(256).describe('the user name'),
        password: secret('the password'),
      })
      .nullable()
      .default(null)
      .describe('HTTP basic authentication, {"username", "password"}'),
    interval: z.number().min(1).max(3600).default(15).describe('seconds between two snapshots of the metrics (like a scrape interval)'),
    batch: z.int().min(1).max(50_000).default(2000).describe('at most this many samples in one request'),
    queue: z
      .int()
      .min(100)
      .max(10_000_000)
      .default(100_000)
      .describe('at most this many samples wait while the receiver is down; beyond it the oldest are dropped (counted in /metrics)'),
    timeout: z.number().min(0.5).max(300).default(10).describe('seconds a request may take'),
    labels: z
      .record(labelName, z.string().max(256))
      .refine((l) => Object.keys(l).length <= 32, 'at most 32 labels')
      .default({})
      .describe('labels added to every series (default: job "siteward", instance = the node name)'),
  })
  .nullable()
  .optional()
  .describe('siteward: push check results and metrics to a time-series database with Prometheus remote-write (docs/metrics.md)');

export type RemoteWriteConfig = NonNullable<z.output<typeof RemoteWriteSchema>>;
