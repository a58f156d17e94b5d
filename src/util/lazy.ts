/**
 * A CommonJS package loaded by its first use instead of at start-up, for
 * code that needs it synchronously: a site whose checks never use it does
 * not carry it (docs/performance.md "Loaded only when used"). Where the
 * caller is async, `await import()` does the same.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
