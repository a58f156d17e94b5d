/**
 * A web edit with 10,000 checks: the check form of one check is posted with
 * a changed threshold (POST /check/:name as the browser sends it: CSRF,
 * form parsing and validation, the site re-validated, saved atomically to
 * disk, the check rescheduled) until the 303 answer. Median of 20 edits,
 * each on another check, after 2 warm-ups. Run: node --import tsx bench/web-edit.ts
 */
import { performance } from 'node:perf_hooks';
import { dist, emit, figure, median, note, round } from './lib/report.ts';
import { formOf, webBench } from './lib/web.ts';

const N = Number(process.env.CHECKS ?? 10_000);
const EDITS = Number(process.env.EDITS ?? 20);
const w = await webBench(N, 'olly');
const ms: number[] = [];
for (let i = -2; i < EDITS; i++) {
  const name = `check-${(i + 2) * 37 + 1}`;
  const form = formOf(await w.agent.page(`/check/${name}`));
  const before = w.site.entry(name)!.config.threshold;
  form.threshold = [String(before === 5 ? 4 : 5)];
  const nextBefore = w.site.nextRun(name);
  const t0 = performance.now();
  const res = await w.agent.post(`/check/${encodeURIComponent(name)}`, form);
  const t = performance.now() - t0;
  if (res.status !== 303) throw new Error(`edit of ${name}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  if (w.site.entry(name)!.config.threshold === before) throw new Error(`edit of ${name} was not applied`);
  // rescheduled: an interval check's next run moves to 1 s after the edit
  if (nextBefore !== null && w.site.nextRun(name) === null) throw new Error(`${name} lost its schedule`);
  if (i >= 0) ms.push(t);
}
await w.close();
note(`edit → saved + rescheduled: ${JSON.stringify(dist(ms))} ms`);
emit(
  'web-edit',
  [
    figure({
      key: 'edit_ms',
      figure: `web edit → saved + rescheduled, ${N.toLocaleString('en')} checks (median)`,
      target: '< 300 ms',
      value: round(median(ms)),
      unit: 'ms',
      better: 'lower',
      limit: 300,
    }),
  ],
  { checks: N, edits: EDITS, editMs: dist(ms) },
);
