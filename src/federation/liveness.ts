/**
 * Instance liveness (siteward, beyond fletchck): each instance keeps a
 * retained status message on `<statustopic>/<instance>` — "online" when it
 * connects (birth) and "offline" through its Last Will when the broker loses
 * it, or explicitly when it stops. The status topic lies outside the check
 * topics and the payload has no `name`, so a fletchck peer never mistakes it
 * for a check (docs/federation.md "Liveness").
 *
 * `InstanceTable` is the receiving side's memory: which instance each remote
 * check came from and which instances are offline. Pure, no I/O.
 */

export type InstanceState = 'online' | 'offline';

export interface StatusPayload {
  siteward: string;
  instance: string;
  site: string;
  state: InstanceState;
  /** for offline: 'connection lost' (the will) or 'shutdown' */
  reason?: string;
}

export function statusTopic(prefix: string, instance: string): string {
  return `${prefix}/${instance}`;
}

export function encodeStatus(p: StatusPayload): Buffer {
  return Buffer.from(JSON.stringify(p), 'utf8');
}

export type StatusMessage =
  | { kind: 'status'; instance: string; state: InstanceState; reason: string | null }
  /** an empty retained payload: the instance's status was cleared (it was renamed or disabled) */
  | { kind: 'cleared'; instance: string }
  | { kind: 'invalid'; detail: string };

/** Decodes a message on `<prefix>/<instance>`; the topic level names the instance. */
export function decodeStatus(prefix: string, topic: string, payload: Uint8Array): StatusMessage {
  if (!topic.startsWith(`${prefix}/`)) return { kind: 'invalid', detail: `topic ${topic} is not below ${prefix}/` };
  const instance = topic.slice(prefix.length + 1);
  if (!instance || instance.includes('/')) return { kind: 'invalid', detail: `topic ${topic} does not name one instance` };
  if (payload.byteLength === 0) return { kind: 'cleared', instance };
  if (payload.byteLength > 4096) return { kind: 'invalid', detail: 'status payload larger than 4096 bytes' };
  try {
    const o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as unknown;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return { kind: 'invalid', detail: 'status payload is not a JSON object' };
    const r = o as Record<string, unknown>;
    if (r.state !== 'online' && r.state !== 'offline') return { kind: 'invalid', detail: 'status "state" must be "online" or "offline"' };
    return { kind: 'status', instance, state: r.state, reason: typeof r.reason === 'string' ? r.reason.slice(0, 200) : null };
  } catch (e) {
    return { kind: 'invalid', detail: `status payload: ${(e as Error).message}` };
  }
}

/** Which instance each local remote check belongs to, and who is offline. */
export class InstanceTable {
  private readonly owner = new Map<string, string>();
  private readonly offline = new Map<string, string>();

  /** Records the sender of a remote check's update (null: a sender that does not say, e.g. fletchck). */
  setOwner(check: string, instance: string | null): void {
    if (instance === null) this.owner.delete(check);
    else this.owner.set(check, instance);
  }

  ownerOf(check: string): string | null {
    return this.owner.get(check) ?? null;
  }

  rename(from: string, to: string): void {
    const i = this.owner.get(from);
    this.owner.delete(from);
    if (i !== undefined) this.owner.set(to, i);
  }

  forget(check: string): void {
    this.owner.delete(check);
  }

  /** Marks an instance online/offline; returns the checks it owns. */
  setState(instance: string, state: InstanceState | 'unknown', reason: string | null = null): string[] {
    if (state === 'offline') this.offline.set(instance, reason ?? 'offline');
    else this.offline.delete(instance);
    return this.checksOf(instance);
  }

  /** The reason an instance is offline, or null when it is not known to be. */
  offlineReason(instance: string): string | null {
    return this.offline.get(instance) ?? null;
  }

  checksOf(instance: string): string[] {
    return [...this.owner].filter(([, i]) => i === instance).map(([c]) => c);
  }
}

/** The log line of a remote check whose instance went away. */
export function offlineLine(instance: string, reason: string | null): string {
  return `instance offline: ${instance}${reason ? ` (${reason})` : ''}`;
}
