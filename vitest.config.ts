import { defineConfig } from 'vitest/config';

export default defineConfig({
  // views/ and their tests are .tsx with Hono's JSX (tsconfig: react-jsx, jsxImportSource hono/jsx)
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // the chaos run is in `npm test` as a bounded 30 s run with the known seed 12345 (test/zone/chaos.test.ts);
    // `npm run chaos` runs it longer with a new seed: docs/ha.md "Chaos run"
    exclude: ['node_modules/**', 'dist/**'],
    // the web UI's pages, handed in as bin/siteward.ts does for the command (src/ never imports views/)
    setupFiles: ['test/setup-pages.ts'],
    // generous bounded limits: tests wait on conditions, and a loaded machine (two cores shared by
    // several engineers, or `stress-ng --cpu 4`: docs/faults.md) is slow, not broken
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll() without its own timeout: 1 s by default, too short for a busy machine
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // two cores: real daemons and browsers per file, so keep parallelism modest
    maxWorkers: 3,
  },
});
