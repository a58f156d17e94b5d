/**
 * What a `browser` check does after the page loaded: steps run in order on
 * the page, each waiting (within the run's timeout) for its element.
 * Selectors are Playwright's (CSS, or `text=…`, `role=…`).
 */
import { z } from 'zod';
import type { Page } from 'playwright-core';
import { resolveSecret, SecretSchema } from '../../util/secret.ts';

const Selector = z.string().min(1).max(1000);

export const Step = z.union([
  z.strictObject({
    fill: Selector.describe('the input to type into'),
    value: SecretSchema.describe('the text typed: a string, or {"env": "NAME"} / {"file": "/path"} for a password').meta({ secret: true }),
  }),
  z.strictObject({ click: Selector.describe('the element clicked') }),
  z.strictObject({ waitFor: Selector.describe('wait until this element is visible') }),
  z.strictObject({
    expectText: z.string().min(1).max(1000).describe('wait until this text shows'),
    selector: Selector.optional().describe('inside this element (default: the whole page)'),
  }),
]);

export const Steps = z
  .array(Step)
  .max(50)
  .describe(
    'done in order after the page loaded: {"fill": selector, "value": text}, {"click": selector}, {"waitFor": selector}, {"expectText": text, "selector"?: selector}',
  );

export type StepValue = z.output<typeof Step>;
/** A step with its `value` read (a secret resolved), as sent to the browser worker. */
export type ResolvedStep = Exclude<StepValue, { fill: string }> | { fill: string; value: string };

/** Reads the secrets of `fill` steps (relative files from the site folder). */
export async function resolveSteps(steps: StepValue[], base: string): Promise<ResolvedStep[]> {
  return Promise.all(steps.map(async (s) => ('fill' in s ? { fill: s.fill, value: await resolveSecret(s.value, base) } : s)));
}

/** How a step reads in the log. */
export function describeStep(s: StepValue | ResolvedStep): string {
  if ('fill' in s) return `fill ${JSON.stringify(s.fill)}`;
  if ('click' in s) return `click ${JSON.stringify(s.click)}`;
  if ('waitFor' in s) return `waitFor ${JSON.stringify(s.waitFor)}`;
  return `expectText ${JSON.stringify(s.expectText)}${s.selector ? ` in ${JSON.stringify(s.selector)}` : ''}`;
}

/** Does one step; `timeout` in ms is what is left of the run. */
export async function doStep(page: Page, s: ResolvedStep, timeout: number): Promise<void> {
  if ('fill' in s) await page.locator(s.fill).first().fill(s.value, { timeout });
  else if ('click' in s) await page.locator(s.click).first().click({ timeout });
  else if ('waitFor' in s) await page.locator(s.waitFor).first().waitFor({ state: 'visible', timeout });
  else
    await page
      .locator(s.selector ?? 'body')
      .filter({ hasText: s.expectText })
      .first()
      .waitFor({ state: 'visible', timeout });
}
