/**
 * What bin/siteward.ts does for the command, done for every test file
 * (vitest.config.ts setupFiles): the web UI's pages come from views/ (src/
 * never imports views/, issue 18).
 */
import { handPages } from '../src/web/pages.ts';

handPages(async () => (await import('../views/index.ts')).pages);
