#!/usr/bin/env node
/**
 * The `siteward` command's entry point and the one place that sees both src/
 * and views/: it hands the web UI its pages (views/index.ts) and runs the CLI
 * (src/cli.ts). src/ never imports views/ (issue 18, docs/architecture.md).
 * The pages load only when a web UI starts, so `--help` stays quick.
 */
import { handPages } from '../src/web/pages.ts';

handPages(async () => (await import('../views/index.ts')).pages);
await import('../src/cli.ts');
