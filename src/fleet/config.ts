/**
 * The site file's `fleet` key (issue 23, docs/fleet.md): this instance
 * watches the zones on its broker and shows them on /fleet. `true` watches
 * every zone under the default topic; the object form names the zones and
 * the topic prefix.
 */
import { z } from 'zod';

const level = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/+#\u0000]+$/, 'one topic level: no "/", "+", "#"');

export const FleetObjectSchema = z.looseObject({
  zones: z.array(level).max(1000).optional().describe('the zones to watch (default: every zone under the topic)'),
  topic: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^+#\u0000]+$/, 'no wildcards')
    .default('siteward/zone')
    .describe("the zones' topic prefix (their zone.topic)"),
  misses: z.int().min(1).max(100).default(3).describe('heartbeats a node may miss before the fleet view shows it as down'),
  maxChecks: z.int().min(1).max(1_000_000).default(200_000).describe('the most checks kept (beyond it, new ones are dropped and the page says so)'),
});

export const FleetSchema = z
  .union([z.boolean(), FleetObjectSchema])
  .nullable()
  .optional()
  .describe('siteward: watch zones on the broker and show them on /fleet (docs/fleet.md); true, or {"zones", "topic", "misses", "maxChecks"}');

export type FleetConfig = z.output<typeof FleetObjectSchema>;

/** The fleet settings, or null when this instance watches no zones. */
export function normalizeFleet(v: z.output<typeof FleetSchema>): FleetConfig | null {
  if (v === null || v === undefined || v === false) return null;
  return v === true ? FleetObjectSchema.parse({}) : v;
}
