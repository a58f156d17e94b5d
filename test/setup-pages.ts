/**
 * What bin/siteward.ts does for the command, done for every test file
 * (vitest.config.ts setupFiles): the web UI's pages come from views/ (src/
 * never imports views/, issue 18).
 */
// every check and action type loaded, as the web UI, the API and the docs have them (the daemon loads only its site's: src/checks/catalog.ts)
import '../src/checks/registry.ts';
import '../src/actions/registry.ts';
import { handPages } from '../src/web/pages.ts';

handPages(async () => (await import('../views/index.ts')).pages);
