/**
 * Where the web UI's pages come from: src/ never imports views/ (issue 18),
 * so the process's entry point (bin/siteward.ts; test/setup-pages.ts for the
 * tests) hands the set views/index.ts builds in here before the web UI starts,
 * as a loader so `siteward --help` does not load them. buildWebApp() takes
 * `WebAppOptions.pages` first, else this.
 */
import type { Pages } from './page-props.ts';

export type { Pages } from './page-props.ts';

let loader: (() => Promise<Pages>) | null = null;

/** Called once by the entry point: the pages every web UI of this process draws. */
export function handPages(load: () => Promise<Pages>): void {
  loader = load;
}

/** The pages handed in; a clear error when the entry point handed in none. */
export async function handedPages(): Promise<Pages> {
  if (!loader) throw new Error('the web UI has no pages: start siteward with bin/siteward.ts (dist/bin/siteward.js), which hands in views/');
  return loader();
}
