/**
 * Every action type, loaded (see checks/registry.ts): the web UI, the API,
 * the JSON schema and the docs derive from it. The daemon's engine looks
 * types up through `catalog.ts`, which loads only the types a site uses
 * (issue 20); importing this module loads them all.
 */
import type { AnyActionType } from './types.ts';
import { ACTION_TYPE_NAMES, actionType, registerActionType } from './catalog.ts';
import { log } from './log/index.ts';
import { email } from './email/index.ts';
import { sms } from './sms/index.ts';
import { webhook } from './webhook/index.ts';
import { ntfy } from './ntfy/index.ts';
import { telegram } from './telegram/index.ts';
import { pushover } from './pushover/index.ts';
import { slack } from './slack/index.ts';

for (const t of [log, email, sms, webhook, ntfy, telegram, pushover, slack]) registerActionType(t);

/** Every type, in the order of `ACTION_TYPE_NAMES` (the UI's). */
export const actionTypes: readonly AnyActionType[] = ACTION_TYPE_NAMES.map((n) => actionType(n)!);

export { actionType, LEGACY_ACTION_TYPES } from './catalog.ts';
