/**
 * The `expectStatus` option of the https check: status codes and ranges,
 * e.g. `200`, `"200-299"`, `"3xx"` or a list of them.
 */
import { z } from 'zod';

const ITEM = /^(\d{3})(?:-(\d{3}))?$|^([1-5])xx$/i;

const StatusItem = z.union([
  z.int().min(100).max(599),
  z
    .string()
    .regex(ITEM, 'a status code, a range like "200-299" or a class like "2xx"')
    .refine((s) => {
      const m = /^(\d{3})-(\d{3})$/.exec(s);
      return !m || Number(m[1]) <= Number(m[2]);
    }, 'the range is empty (low end above high end)'),
]);

export const StatusSpec = z.union([StatusItem, z.array(StatusItem).min(1)]);
export type StatusSpecValue = z.output<typeof StatusSpec>;

function range(item: number | string): [number, number] {
  if (typeof item === 'number') return [item, item];
  const m = ITEM.exec(item)!;
  if (m[3]) return [Number(m[3]) * 100, Number(m[3]) * 100 + 99];
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

export function statusMatches(spec: StatusSpecValue, status: number): boolean {
  const items = Array.isArray(spec) ? spec : [spec];
  return items.some((i) => {
    const [lo, hi] = range(i);
    return status >= lo && status <= hi;
  });
}

export function describeStatus(spec: StatusSpecValue): string {
  return (Array.isArray(spec) ? spec : [spec]).map(String).join(', ');
}
