/**
 * The action contract: an options schema and one `send()`. A send either
 * resolves (delivered) or throws ActionError, whose `permanent` flag tells the
 * outbox whether retrying can help (healthchecks' TransportError).
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { FailState } from '../engine/state.ts';

/** What an action is told about a check when it fires (a snapshot, spec §3.7). */
export interface Notification {
  /** site name (webui.name) */
  site: string;
  /** why: a state transition, a reminder while failing, an escalation step (src/ops), a digest or a test (spec §5.6) */
  kind: 'transition' | 'reminder' | 'escalation' | 'digest' | 'test';
  /**
   * A stable id of this delivery (one per notification and action), set by
   * the outbox. A repeated delivery carries the same id (email Message-ID,
   * webhook `id`), so receivers can drop duplicates.
   */
  id?: string;
  check: {
    name: string;
    /** display type: `https`, `remote.smtp`, `action-test` */
    type: string;
    /** PASS, FAIL or PAUSED */
    state: string;
    failState: FailState;
    softFail: string | null;
    level: string | null;
    log: string[];
    /** getSummary (spec §3.2, §4.13) */
    summary: string;
    lastFail: number | null;
    lastPass: number | null;
    lastCheck: number | null;
    /** the check's zone for displaying times */
    zone: string | null;
    /** a multi-vantage check (docs/ha.md): one line per vantage zone with its view */
    vantages?: string;
  };
  /** when the notification was created (ms) */
  at: number;
  /** kind 'digest': the notifications it stands for, oldest first */
  items?: DigestItem[];
  /** the site's default message template (notifications.template, src/actions/template.ts) */
  template?: { subject?: string; body?: string };
  /** the web UI's public address for links (notifications.url) */
  url?: string;
  /** the signed one-click acknowledgement link of this action's copy (src/ops/ack-link.ts); set as it is sent */
  ackUrl?: string;
}

/** One notification folded into a digest (storm control). */
export interface DigestItem {
  kind: Notification['kind'];
  name: string;
  type: string;
  state: string;
  summary: string;
  at: number;
  zone: string | null;
}

export interface ActionContext {
  signal: AbortSignal;
  log: Logger;
  /** writes a WARNING line to the site's volatile log (spec §1.5) */
  warn(message: string, level?: 'info' | 'warn'): void;
  now(): number;
}

export class ActionError extends Error {
  readonly permanent: boolean;
  /** the server asked to wait this long before trying again (HTTP Retry-After, Telegram retry_after) */
  readonly retryAfterMs: number | null;
  constructor(message: string, opts: { permanent?: boolean; cause?: unknown; retryAfterMs?: number | null } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ActionError';
    this.permanent = opts.permanent ?? false;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export interface ActionTypeInfo {
  summary: string;
  fletchck?: boolean;
}

export interface ActionType<S extends z.ZodType = z.ZodType> {
  type: string;
  info: ActionTypeInfo;
  options: S;
  /** default per-send timeout in seconds (the `timeout` option overrides it) */
  defaultTimeout: number;
  /** set on a type only an administrator may add, edit or delete: the reason shown to users (src/config/trust.ts) */
  adminOnly?: string;
  send(n: Notification, opts: z.output<S>, ctx: ActionContext): Promise<void>;
}

export function defineAction<S extends z.ZodType>(t: ActionType<S>): ActionType<S> {
  return t;
}

/** Registry entry of any action type; see AnyCheckType for why `any` is safe here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActionType = ActionType<any>;
