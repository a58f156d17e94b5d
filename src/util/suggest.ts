/**
 * "Did you mean …?" for a value outside a closed set (a check type, an
 * option's choices, a DNS record type): the nearest choice by edit distance
 * (leven), compared without case, when it is near enough to be a slip.
 */
import leven from 'leven';

/** The nearest choice, or null when none is near: one edit for a word of up to 3 letters, else two or a third of it. */
export function closest(input: string, choices: readonly string[]): string | null {
  const a = input.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of choices) {
    const d = leven(a, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const limit = a.length <= 3 ? 1 : Math.max(2, Math.floor(a.length / 3));
  return best !== null && bestD > 0 && bestD <= limit ? best : null;
}

/** `; did you mean "https"?` or '' (to append to a message). */
export function didYouMean(input: unknown, choices: readonly string[]): string {
  if (typeof input !== 'string') return '';
  const c = closest(input, choices);
  return c === null ? '' : `; did you mean ${JSON.stringify(c)}?`;
}
