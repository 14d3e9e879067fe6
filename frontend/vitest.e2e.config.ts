// Browser tests against the real stack (`autobang up`), driven by playwright-core with
// Debian's chromium. One stack for the whole run (e2e/stack.ts); files run one at a time.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/stack.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // the launcher stops tasks, workers, the gateway and redis in order on SIGINT
    teardownTimeout: 90_000,
  },
})
