/** A check's charts page: the range picker (links: works without script) and the charts. */
import type { Child } from 'hono/jsx';
import { RANGE_WORDS, type RangeKey, RANGES, type PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { checkUrl } from '../ui.tsx';
import { Charts } from '../partials/chart.tsx';

export function ChartsPage(p: PropsOf<'ChartsPage'>): Child {
  const words = RANGE_WORDS[p.data.range];
  return (
    <Page ctx={p.ctx} title={`${p.name}: charts`}>
      <h1>
        {p.name} <span class="muted">charts</span>
      </h1>
      <p>
        <a href={checkUrl(p.name)}>Back to the check</a>
      </p>
      <nav class="ranges toolbar" aria-label="Range">
        {(Object.keys(RANGES) as RangeKey[]).map((r) => (
          <a
            class={r === p.data.range ? 'btn primary' : 'btn'}
            href={checkUrl(p.name, `/charts?range=${r}`)}
            aria-current={r === p.data.range ? 'page' : undefined}
          >
            {RANGE_WORDS[r]}
          </a>
        ))}
      </nav>
      <section class="card" aria-label={`Charts over the last ${words}`}>
        <Charts data={p.data} words={words} />
      </section>
    </Page>
  );
}
