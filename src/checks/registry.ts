/**
 * The one list of check types. The config schema, the web form, the type
 * selector and the README tables are all derived from it: adding a type is a
 * new folder plus one line here. Order = the order the UI offers them
 * (fletchck's first).
 */
import type { AnyCheckType } from './types.ts';
import { disk } from './disk/index.ts';
import { memory } from './memory/index.ts';
import { cpu } from './cpu/index.ts';
import { sequence } from './sequence/index.ts';
import { remote } from './remote/index.ts';
import { push } from './push/index.ts';

export const checkTypes: readonly AnyCheckType[] = [
  disk,
  cpu,
  memory,
  sequence,
  remote,
  push,
];

const byName = new Map(checkTypes.map((t) => [t.type, t]));

export function checkType(name: string): AnyCheckType | undefined {
  return byName.get(name);
}

export function checkTypeNames(): string[] {
  return checkTypes.map((t) => t.type);
}
