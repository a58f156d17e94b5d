/** The log lines of a check's last run. Live-swapped by id on the detail page. A named group: `aria-label` on a bare `<pre>` is not allowed (axe-core). */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';

export function LogBlock(p: PropsOf<'LogBlock'>): Child {
  return (
    <pre class="log" id={p.id ? `log-${p.vm.id}` : undefined} hx-swap-oob={p.oob ? 'true' : undefined} role="group" aria-label={`log of ${p.vm.name}`}>
      {p.vm.log.join('\n')}
    </pre>
  );
}
