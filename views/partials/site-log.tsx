/** Lines of the volatile site log (spec §1.5); new lines are live-appended. */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';

export function LogLines(p: { lines: readonly string[] }): Child {
  return (
    <>
      {p.lines.map((l) => (
        <li>{l}</li>
      ))}
    </>
  );
}

export function SiteLog(p: { lines: readonly string[] }): Child {
  return (
    <ol id="sitelog" class="sitelog card" aria-live="polite">
      <LogLines lines={p.lines} />
    </ol>
  );
}

/** Appends lines to #sitelog (out-of-band swap in a live update). */
export function SiteLogAppend(p: PropsOf<'SiteLogAppend'>): Child {
  return (
    <ol hx-swap-oob="beforeend:#sitelog">
      <LogLines lines={p.lines} />
    </ol>
  );
}
