/**
 * Notification texts shared by the email and SMS actions (spec §5.4, §5.5).
 */
import { displayTime } from '../util/time.ts';
import { isFailing } from '../engine/state.ts';
import type { Notification } from './types.ts';

/** 🐶, fletchck's APPICON (spec §11). */
export const APP_ICON = '\u{1f436}';

/** fletchck's APPNAME (spec §11): the email subject's default `[site]`. */
export const APP_NAME = 'Fletchck';

const failing = (n: Notification): boolean => isFailing(n.check.failState);

/** The time of the state: lastFail when failing, else lastPass (display format). */
export function stateTime(n: Notification): string {
  return displayTime(failing(n) ? n.check.lastFail : n.check.lastPass, n.check.zone);
}

/** `[<site>] <STATE>: <name> (<type>)` */
export function emailSubject(n: Notification, site: string): string {
  return `[${site}] ${n.check.state}: ${n.check.name} (${n.check.type})`;
}

/**
 * Line 1 `<name> (<type>) in <STATE> state at <time>`; on PASS the icon line;
 * then, if there are log lines, a blank line, `Log:`, a blank line and the log.
 */
export function emailBody(n: Notification, icon: string): string {
  let body = `${n.check.name} (${n.check.type}) in ${n.check.state} state at ${stateTime(n)}`;
  if (!failing(n)) body += `\n${icon}\u{1f44d}`;
  if (n.check.log.length > 0) body += `\n\nLog:\n\n${n.check.log.join('\n')}`;
  return body;
}

/** spec §5.5: 💬 + summary when failing, 👍 when passing. */
export function smsText(n: Notification, site: string, icon: string): string {
  const prefix = site ? `${site} ` : '';
  if (failing(n)) {
    return `${prefix}${icon}\u{1f4ac}\n${n.check.name}: ${n.check.state}\n${n.check.summary}\n${stateTime(n)}`;
  }
  return `${prefix}${icon}\u{1f44d}\n${n.check.name}: ${n.check.state}\n${stateTime(n)}`;
}
