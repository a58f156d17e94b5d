/**
 * Whether siteward can store what it must (issue 16, "fail loudly, lose
 * nothing"). Each part that writes to the state database — results,
 * notifications, the site log — reports a failed write and a write that
 * worked again; the site is degraded while any part fails. /healthz,
 * /metrics, the UI banner and the site log read it; push and the API's
 * runs answer 503 while results cannot be stored. (A site file that cannot
 * be saved is the caller's error: the edit is refused with the reason.)
 */

/** The parts that store something, as the messages name them. */
export type StorePart = 'results' | 'notifications' | 'site log';
/** in the order the message names them */
const PARTS: readonly StorePart[] = ['results', 'notifications', 'site log'];

export interface StoreProblem {
  /** when the first of the current failures happened (site clock) */
  since: number;
  /** one line for people: what cannot be stored and why */
  message: string;
}

/** What a writer needs: say that a write failed, or worked. */
export interface StoreReporter {
  failed(part: StorePart, error: unknown): void;
  worked(part: StorePart): void;
}

/** Storage errors: the disk is full, failing, read-only, or the database file is damaged. */
const STORAGE_CODES = /^(SQLITE_(FULL|IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN)|ENOSPC|EIO|EROFS|EDQUOT|EACCES|EPERM)/;

/** True when `e` says the storage is unusable (rather than that one value was wrong). */
export function isStorageError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_CODES.test(code);
}

function describe(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 200 ? `${m.slice(0, 197)}...` : m;
}

export class StoreHealth implements StoreReporter {
  private readonly failing = new Map<StorePart, { since: number; error: string }>();

  /** `changed` is told each time the problem starts, changes or ends (null). */
  constructor(
    private readonly now: () => number,
    private readonly changed: (problem: StoreProblem | null, was: StoreProblem | null) => void,
  ) {}

  failed(part: StorePart, error: unknown): void {
    const was = this.problem;
    const prev = this.failing.get(part);
    const text = describe(error);
    if (prev && prev.error === text) return;
    this.failing.set(part, { since: prev?.since ?? this.now(), error: text });
    this.changed(this.problem, was);
  }

  worked(part: StorePart): void {
    if (!this.failing.has(part)) return;
    const was = this.problem;
    this.failing.delete(part);
    this.changed(this.problem, was);
  }

  /** null while everything is stored. */
  get problem(): StoreProblem | null {
    if (this.failing.size === 0) return null;
    const since = Math.min(...[...this.failing.values()].map((f) => f.since));
    const parts = PARTS.filter((p) => this.failing.has(p))
      .map((p) => `${p} (${this.failing.get(p)!.error})`)
      .join('; ');
    return { since, message: `siteward cannot store ${parts}` };
  }
}

/** The line the site log and the logger get when storing starts failing, changes, or works again. */
export function storageLine(problem: StoreProblem | null, was: StoreProblem | null, stamp: (t: number) => string): string {
  if (problem) return `${problem.message}; results and notifications are kept in memory and retried`;
  return `Storing works again${was ? ` (it had failed since ${stamp(was.since)})` : ''}`;
}
