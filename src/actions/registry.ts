/**
 * The one list of action types (see checks/registry.ts). Legacy type names
 * are mapped here too (`cksms` → `sms`, spec §2.3).
 */
import type { AnyActionType } from './types.ts';
import { log } from './log/index.ts';
import { email } from './email/index.ts';
import { sms } from './sms/index.ts';
import { webhook } from './webhook/index.ts';
import { ntfy } from './ntfy/index.ts';
import { telegram } from './telegram/index.ts';
import { pushover } from './pushover/index.ts';
import { slack } from './slack/index.ts';

export const actionTypes: readonly AnyActionType[] = [log, email, sms, webhook, ntfy, telegram, pushover, slack];

export const LEGACY_ACTION_TYPES: Record<string, string> = { cksms: 'sms' };

const byName = new Map(actionTypes.map((t) => [t.type, t]));

export function actionType(name: string): AnyActionType | undefined {
  return byName.get(LEGACY_ACTION_TYPES[name] ?? name);
}
