import { defineConfig } from 'vitest/config';

export default defineConfig({
  // views/ and their tests are .tsx with Hono's JSX (tsconfig: react-jsx, jsxImportSource hono/jsx)
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // two cores: real daemons and browsers per file, so keep parallelism modest
    maxWorkers: 3,
  },
});
