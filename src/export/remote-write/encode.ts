/**
 * Prometheus remote-write 1.0 wire format
 * (https://prometheus.io/docs/specs/remote_write_spec/): a protobuf
 * `prometheus.WriteRequest` (prompb/remote.proto, types.proto), compressed
 * with snappy's block format (not the framed format), POSTed with
 * `Content-Encoding: snappy`, `Content-Type: application/x-protobuf` and
 * `X-Prometheus-Remote-Write-Version: 0.1.0`.
 *
 * protobufjs (reflection, no generated code) and snappyjs (pure JS, no
 * native build) do the encoding; the message definitions below are the
 * spec's, field numbers included.
 */
import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';

/** One sample of one series: labels (the metric name under `__name__`), value, time (ms). */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** ms since the epoch */
  t: number;
}

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

/**
 * The request body for `samples`: samples of one series are grouped into one
 * TimeSeries in time order (the spec: labels sorted by name, samples in
 * timestamp order), series in their first-seen order.
 */
export function encodeWriteRequest(samples: readonly Sample[]): Buffer {
  const series = new Map<string, { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }>();
  for (const s of samples) {
    const labels = Object.entries(s.labels)
      .filter(([, v]) => v !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => ({ name, value }));
    const key = labels.map((l) => `${l.name}\u0000${l.value}`).join('\u0001');
    let ts = series.get(key);
    if (!ts) series.set(key, (ts = { labels, samples: [] }));
    ts.samples.push({ value: s.value, timestamp: Math.round(s.t) });
  }
  for (const ts of series.values()) ts.samples.sort((a, b) => a.timestamp - b.timestamp);
  const bytes = WriteRequest.encode(WriteRequest.fromObject({ timeseries: [...series.values()] })).finish();
  return Buffer.from(SnappyJS.compress(bytes));
}

/** The samples of a request body (tests, and a check of the encoding against itself). */
export function decodeWriteRequest(body: Buffer): Sample[] {
  const raw = SnappyJS.uncompress(new Uint8Array(body));
  const msg = WriteRequest.toObject(WriteRequest.decode(raw), { longs: Number, defaults: true }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  };
  return msg.timeseries.flatMap((ts) =>
    ts.samples.map((s) => ({ labels: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])), value: s.value, t: s.timestamp })),
  );
}
