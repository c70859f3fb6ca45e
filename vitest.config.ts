import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Tests run on the TypeScript sources: the `@colorize/source` export condition resolves each
 * `@colorize/*` import to the sibling's `src/`, so no build is needed to test. The built
 * packages are checked separately by `npm run lint` (publint, attw) and scripts/smoke.
 */
export default defineConfig({
  resolve: { conditions: ['@colorize/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@colorize/source', ...defaultServerConditions] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    setupFiles: ['./scripts/vitest-setup.ts'],
  },
});
