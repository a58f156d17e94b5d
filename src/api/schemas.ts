/**
 * The API's JSON shapes as zod schemas: they validate requests and generate
 * the OpenAPI document. Check and action bodies are derived from the same
 * registries and schemas as the site file (src/config/jsonschema.ts).
 */
import { z } from 'zod';
import { checkTypes } from '../checks/registry.ts';
import { actionTypes } from '../actions/registry.ts';
import { checkEntrySchema } from '../config/jsonschema.ts';
import { ActionCommonSchema } from '../config/schema.ts';
import { IssueSchema } from './errors.ts';
import { MAX_NAME, nameProblem } from '../config/names.ts';
import { SCOPES } from './tokens.ts';

const time = z.string().nullable().describe('ISO 8601 UTC time, or null');

/** Check and action names: the site's one name rule (src/config/names.ts), so the API accepts exactly what the site file does. */
export const NameSchema = z
  .string()
  .superRefine((name, ctx) => {
    const problem = nameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ minLength: 1, maxLength: MAX_NAME, description: 'any text but control characters, "." and ".." and "__proto__", "constructor", "prototype"' });

export const NameParam = z.object({ name: NameSchema });

type ObjectSchema = z.ZodObject<z.ZodRawShape>;
const union = (xs: ObjectSchema[]): z.ZodType =>
  xs.length === 1 ? xs[0] : z.discriminatedUnion('type', xs as [ObjectSchema, ObjectSchema, ...ObjectSchema[]]);

/**
 * A check as in the site file, one variant per registered type. The cast is
 * safe: checkEntrySchema builds a ZodObject (CheckCommonSchema.extend).
 */
export const CheckEntrySchema = union(checkTypes.map((t) => checkEntrySchema(t) as ObjectSchema)).meta({ id: 'CheckEntry' });

export const CreateCheckSchema = z.object({ name: NameSchema }).and(CheckEntrySchema).meta({ id: 'NewCheck' });

/** RFC 7396 merge patch of a check; `name` renames it. */
export const CheckPatchSchema = z
  .looseObject({
    name: NameSchema.optional().describe('a new name: renames the check and every reference to it'),
    type: z.string().optional(),
    options: z.looseObject({}).nullable().optional(),
  })
  .describe('JSON merge patch (RFC 7396) of the check; null removes a key')
  .meta({ id: 'CheckPatch' });

export const ActionEntrySchema = union(
  actionTypes.map(
    (t) =>
      ActionCommonSchema.extend({
        type: z.literal(t.type),
        options: t.options.optional(),
      }).describe(t.info.summary) as ObjectSchema,
  ),
).meta({ id: 'ActionEntry' });

export const CreateActionSchema = z.object({ name: NameSchema }).and(ActionEntrySchema).meta({ id: 'NewAction' });

export const ActionPatchSchema = z
  .looseObject({
    name: NameSchema.optional().describe('a new name: renames the action in every check'),
    options: z.looseObject({}).nullable().optional(),
  })
  .describe('JSON merge patch (RFC 7396) of the action')
  .meta({ id: 'ActionPatch' });

export const StateText = z.enum(['PASS', 'WARN', 'FAIL', 'PAUSED']).describe('WARN: passing, but a level is above its warning threshold');

export const MetricSchema = z.object({ name: z.string(), value: z.number(), unit: z.string().optional() }).meta({ id: 'Metric' });

export const AckSchema = z
  .object({
    by: z.string().describe('who acknowledged (user or `token <name>`)'),
    at: z.string(),
    comment: z.string(),
  })
  .nullable()
  .describe('the acknowledgement of the current failure; cleared on recovery')
  .meta({ id: 'Ack' });

export const MaintenanceNowSchema = z
  .object({
    window: z.string(),
    start: z.string(),
    end: z.string(),
    reason: z.string().nullable(),
    by: z.string().nullable(),
  })
  .nullable()
  .describe('the maintenance window covering the check now: transitions notify nobody')
  .meta({ id: 'MaintenanceNow' });

export const CheckSummarySchema = z
  .object({
    name: z.string(),
    type: z.string(),
    displayType: z.string().describe('`remote.<subType>` for remote checks'),
    active: z.boolean().describe('false when the check has a config error (it never runs)'),
    paused: z.boolean(),
    state: StateText,
    level: z.string().nullable(),
    softFail: z.string().nullable(),
    failCount: z.int(),
    lastCheck: time,
    lastPass: time,
    lastFail: time,
    nextRun: time,
    ack: AckSchema,
    maintenance: MaintenanceNowSchema,
    owner: z.string().nullable().describe('in an HA zone: the node that runs the check (docs/ha.md); null outside a zone'),
  })
  .meta({ id: 'CheckSummary' });

export const CheckDetailSchema = CheckSummarySchema.extend({
  failState: z.union([z.boolean(), z.string()]).describe("true/false, or a sequence's failing members"),
  log: z.array(z.string()),
  metrics: z.array(MetricSchema),
  lastUpdate: time,
  config: z.record(z.string(), z.unknown()).describe('the check as in the site file (secret options shown to admin tokens only)'),
  issues: z.array(IssueSchema),
}).meta({ id: 'CheckDetail' });

export const CheckListSchema = z.object({ checks: z.array(CheckSummarySchema) }).meta({ id: 'CheckList' });

export const CheckListQuery = z.object({
  name: z.string().optional().describe('only checks whose name contains this text (case-insensitive)'),
  type: z.string().optional().describe('only checks of this type (or display type, e.g. remote.smtp); comma-separated for several'),
  state: z.enum(['PASS', 'WARN', 'FAIL', 'PAUSED']).optional(),
});

export const HistoryQuery = z.object({
  from: z.string().optional().describe('ISO 8601 time or ms since the epoch (default: 24 hours ago)'),
  to: z.string().optional().describe('ISO 8601 time or ms since the epoch (default: now)'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const HistorySchema = z
  .object({
    runs: z
      .array(
        z.object({
          t: z.string(),
          fail: z.boolean(),
          durationMs: z.number().nullable(),
          level: z.string().nullable(),
          softFail: z.string().nullable(),
          metrics: z.array(MetricSchema),
        }),
      )
      .describe('newest first'),
    transitions: z.array(z.object({ t: z.string(), to: z.string(), from: z.string(), notify: z.boolean(), log: z.array(z.string()) })),
  })
  .meta({ id: 'History' });

export const NotificationsSchema = z
  .object({
    available: z.boolean().describe('whether the site keeps a delivery record (the outbox does)'),
    notifications: z.array(
      z.object({
        id: z.union([z.string(), z.number()]),
        check: z.string().nullable(),
        action: z.string(),
        kind: z.string(),
        status: z.string(),
        attempts: z.int(),
        created: z.string(),
        delivered: time,
        lastError: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Notifications' });

export const ActionViewSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    active: z.boolean(),
    config: z.record(z.string(), z.unknown()).describe('the action as in the site file (secret options shown to admin tokens only)'),
    checks: z.array(z.string()).describe('checks that notify this action'),
    issues: z.array(IssueSchema),
  })
  .meta({ id: 'Action' });

export const ActionListSchema = z.object({ actions: z.array(ActionViewSchema) }).meta({ id: 'ActionList' });

export const TestResultSchema = z.object({ ok: z.boolean(), error: z.string().optional() }).meta({ id: 'TestResult' });

export const StatusSchema = z
  .object({
    site: z.string(),
    version: z.string(),
    time: z.string(),
    fail: z.boolean().describe('some check reports FAIL'),
    checks: z.object({ total: z.int(), PASS: z.int(), FAIL: z.int(), PAUSED: z.int(), inactive: z.int() }),
    failing: z.array(z.string()).describe('names of checks reporting FAIL'),
    runner: z.object({ running: z.int(), waiting: z.int() }),
    issues: z.array(IssueSchema).describe('problems in the site file'),
  })
  .meta({ id: 'Status' });

export const AllMetricsSchema = z
  .object({
    site: z.string(),
    time: z.string(),
    checks: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        displayType: z.string(),
        remote: z.boolean(),
        state: StateText,
        level: z.string().nullable(),
        softFail: z.string().nullable(),
        lastCheck: time,
        lastUpdate: time,
        metrics: z.array(MetricSchema),
      }),
    ),
  })
  .meta({ id: 'AllMetrics' });

export const TokenSchema = z
  .object({
    id: z.int(),
    name: z.string(),
    scope: z.enum(SCOPES),
    prefix: z.string().describe('the first characters of the token (not secret)'),
    created: z.string(),
    expires: time,
    lastUsed: time.describe('recorded at most once a minute'),
    revoked: time,
  })
  .meta({ id: 'Token' });

export const NewTokenSchema = z
  .object({
    name: z.string().min(1).max(100),
    scope: z.enum(SCOPES),
    expires: z.string().optional().describe('ISO 8601 time, or a duration such as 30d, 12h'),
  })
  .meta({ id: 'NewToken' });

export const CreatedTokenSchema = z.object({ token: z.string().describe('the secret: shown only now'), info: TokenSchema }).meta({ id: 'CreatedToken' });

export const ZoneSchema = z
  .object({
    zone: z.string().nullable().describe('the zone; null: this site is not in a zone'),
    node: z.string().nullable().describe("this node's name"),
    configRevision: z
      .object({ rev: z.int(), hash: z.string(), node: z.string().describe('the node where the edit was made') })
      .nullable()
      .describe('the zone config revision this node runs; null before the first'),
    configProblem: z
      .object({ since: time, message: z.string() })
      .nullable()
      .describe('while no zone config message reaches this node (a broker ACL, a lost subscription): since when and what it means; null while they do'),
    nodes: z.array(
      z.object({
        name: z.string(),
        status: z.enum(['up', 'down']),
        checks: z.int().describe('checks the node runs: the ones it owns and its local ones'),
        version: z.string().nullable().describe("the node's siteward version"),
        heard: time.describe('when this node last heard its status'),
        self: z.boolean().describe('the node that answers'),
      }),
    ),
    trust: z
      .object({
        authenticated: z.boolean().describe('the zone messages are sealed with a zone key (docs/ha.md "Trust")'),
        keyIds: z.array(z.string()).describe('ids of the keys this node opens with, the one it seals with first (never a key)'),
        verified: z.int().describe('messages from other nodes that passed verification, since start'),
        rejected: z.record(z.string(), z.int()).describe('messages dropped since start, by reason'),
        lastRejected: z.object({ at: time, topic: z.string(), why: z.string() }).nullable(),
        onlyRejected: z.boolean().describe('true while every zone message this node hears is rejected'),
        warning: z.string().nullable().describe('unauthenticated zone, or a node that hears only rejected messages; null when neither'),
      })
      .nullable()
      .describe("the zone's message authentication; null outside a zone"),
  })
  .meta({ id: 'Zone' });
