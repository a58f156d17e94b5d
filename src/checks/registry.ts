/**
 * Every check type, loaded. The config schema, the web form, the type
 * selector and the README tables are all derived from it: adding a type is a
 * new folder plus one line here and one name in `catalog.ts`, whose order is
 * the order the UI offers them (fletchck's first). The daemon's engine looks
 * types up through `catalog.ts`, which loads only the types a site uses
 * (issue 20); importing this module loads them all.
 */
import type { AnyCheckType } from './types.ts';
import { CHECK_TYPE_NAMES, checkType, registerCheckType } from './catalog.ts';
import { smtp } from './smtp/index.ts';
import { submit } from './submit/index.ts';
import { imap } from './imap/index.ts';
import { https } from './https/index.ts';
import { cert } from './cert/index.ts';
import { disk } from './disk/index.ts';
import { memory } from './memory/index.ts';
import { cpu } from './cpu/index.ts';
import { sequence } from './sequence/index.ts';
import { remote } from './remote/index.ts';
import { ssh } from './ssh/index.ts';
import { dns } from './dns/index.ts';
import { temp } from './temp/index.ts';
import { ups } from './ups/index.ts';
import { net } from './net/index.ts';
import { exec } from './exec/index.ts';
import { truenas } from './truenas/index.ts';
import { push } from './push/index.ts';
import { tcp } from './tcp/index.ts';
import { postgres } from './postgres/index.ts';
import { mysql } from './mysql/index.ts';
import { redis } from './redis/index.ts';
import { ntp } from './ntp/index.ts';
import { mqtt } from './mqtt/index.ts';
import { ldap } from './ldap/index.ts';
import { ping } from './ping/index.ts';
import { snmp } from './snmp/index.ts';
import { docker } from './docker/index.ts';
import { browser } from './browser/index.ts';

const all: readonly AnyCheckType[] = [
  ssh,
  smtp,
  submit,
  imap,
  https,
  cert,
  dns,
  disk,
  cpu,
  memory,
  temp,
  ups,
  sequence,
  remote,
  net,
  tcp,
  ping,
  postgres,
  mysql,
  redis,
  ldap,
  ntp,
  mqtt,
  snmp,
  docker,
  browser,
  exec,
  truenas,
  push,
];
for (const t of all) registerCheckType(t);

/** Every type, in the order of `CHECK_TYPE_NAMES` (the UI's). */
export const checkTypes: readonly AnyCheckType[] = CHECK_TYPE_NAMES.map((n) => checkType(n)!);

export { checkType, checkTypeNames } from './catalog.ts';

/**
 * A check made in the web UI or the API: its type's `newCheckOptions` fill
 * the options it leaves out (an https check expects 2xx/3xx). Checks read
 * from a file are never changed by this.
 */
export function newCheckOptions(raw: Record<string, unknown>): Record<string, unknown> {
  const t = checkType(String(raw.type ?? ''));
  if (!t?.newCheckOptions) return raw;
  const options = raw.options !== null && typeof raw.options === 'object' && !Array.isArray(raw.options) ? (raw.options as Record<string, unknown>) : {};
  return { ...raw, options: { ...t.newCheckOptions, ...options } };
}
