/**
 * JSON Schema of the whole site file, derived from the same zod schemas the
 * loader uses and from the check and action registries (so editors can
 * autocomplete `site.json`; `scripts/gen-docs.ts` writes it to
 * site.schema.json).
 */
import { z } from 'zod';
import { checkTypes } from '../checks/registry.ts';
import { actionTypes } from '../actions/registry.ts';
import { StatusPagesSchema } from '../status-pages/config.ts';
import { MaintenanceSchema } from '../ops/maintenance.ts';
import { EscalationSchema } from '../ops/config.ts';
import { ApiSchema, CheckCommonSchema, HistorySchema, MqttSchema, PluginsSchema, SchedulerSchema, WebuiSchema } from './schema.ts';
import { ZoneSchema } from '../zone/config.ts';
import { FleetSchema } from '../fleet/config.ts';
import { RemoteWriteSchema } from '../export/remote-write/config.ts';

const cronValue = z.union([z.string(), z.int()]);
const cronBody = z
  .looseObject({
    year: cronValue.optional(),
    month: cronValue.optional(),
    day: cronValue.optional(),
    week: cronValue.optional(),
    day_of_week: cronValue.optional(),
    hour: cronValue.optional(),
    minute: cronValue.optional(),
    second: cronValue.optional(),
    start_date: z.string().optional(),
    end_date: z.string().optional(),
    timezone: z.string().optional(),
  })
  .describe('APScheduler cron fields (spec §6.1); omitted less significant fields take their minimum');
const intervalBody = z
  .looseObject({
    weeks: z.int().min(0).optional(),
    days: z.int().min(0).optional(),
    hours: z.int().min(0).optional(),
    minutes: z.int().min(0).optional(),
    seconds: z.int().min(0).optional(),
    end_date: z.string().optional(),
    timezone: z.string().optional(),
  })
  .describe('run 1 s after start, then every interval');
export const TriggerDocSchema = z
  .union([z.object({ interval: intervalBody }), z.object({ cron: cronBody })])
  .nullable()
  .describe('when the check runs; null = only manually or inside a sequence');

/** The check entry schema for one type: common keys + that type's options. */
export function checkEntrySchema(type: (typeof checkTypes)[number]): z.ZodType {
  return CheckCommonSchema.extend({
    type: z.literal(type.type),
    trigger: TriggerDocSchema.optional(),
    options: type.options.optional(),
  }).describe(type.info.summary);
}

export function siteZodSchema(): z.ZodType {
  const checks = checkTypes.map((t) => checkEntrySchema(t));
  const actions = actionTypes.map((t) => z.looseObject({ type: z.literal(t.type), options: t.options.optional() }).describe(t.info.summary));
  const union = (xs: z.ZodType[]): z.ZodType => (xs.length === 1 ? xs[0] : z.union(xs as [z.ZodType, z.ZodType, ...z.ZodType[]]));
  return z
    .looseObject({
      $schema: z.string().optional(),
      base: z.string().nullable().optional().describe('the site folder (informational; rewritten on save)'),
      timezone: z.string().nullable().optional().describe('IANA zone for display, scheduling and notifications; null = host local'),
      webui: WebuiSchema.nullable().optional(),
      mqtt: MqttSchema.nullable().optional(),
      api: ApiSchema.nullable().optional(),
      zone: ZoneSchema,
      fleet: FleetSchema,
      remoteWrite: RemoteWriteSchema,
      plugins: PluginsSchema.optional(),
      history: HistorySchema.optional(),
      scheduler: SchedulerSchema.optional(),
      statusPages: StatusPagesSchema.optional(),
      actions: z.record(z.string(), union(actions)).optional(),
      checks: z.record(z.string(), union(checks)).optional(),
      maintenance: MaintenanceSchema.optional(),
      escalation: EscalationSchema.optional(),
      log: z.array(z.string()).optional().describe('the volatile site log (kept by siteward)'),
    })
    .describe('siteward / fletchck site file');
}

export function siteJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(siteZodSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://siteward.invalid/site.schema.json', title: 'siteward site file' };
}

/** One row per option of a schema, for the README tables. */
export function optionRows(schema: z.ZodType): { name: string; type: string; dflt: string; description: string }[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>> };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    type: describeType(p),
    dflt: p.default === undefined ? '' : JSON.stringify(p.default),
    description: typeof p.description === 'string' ? p.description : '',
  }));
}

function describeType(p: Record<string, unknown>): string {
  if (Array.isArray(p.enum)) return p.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (p.const !== undefined) return JSON.stringify(p.const);
  if (Array.isArray(p.type)) return p.type.map((t) => describeType({ ...p, type: t })).join(' \\| ');
  const alts = (p.anyOf ?? p.oneOf) as Record<string, unknown>[] | undefined;
  if (alts) return [...new Set(alts.map(describeType))].join(' \\| ');
  if (p.type === 'object' && p.properties && typeof p.properties === 'object') {
    const keys = Object.keys(p.properties);
    if (keys.length === 1) return `{"${keys[0]}": …}`;
  }
  if (p.type === 'array') {
    const items = p.items as Record<string, unknown> | undefined;
    return `list of ${items ? describeType(items) : 'values'}`;
  }
  if (p.type === 'integer') return 'whole number';
  if (typeof p.type === 'string') return p.type === 'object' ? 'object' : p.type;
  return 'any';
}
