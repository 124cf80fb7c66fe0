import { defineConfig } from 'vitest/config';

/**
 * Test tiers by folder. `unit`, `fast` (the scenarios of test/scenarios on in-memory adapters) and `infra`
 * need nothing running; `integration` and `e2e` share emulators (DynamoDB Local, s3rver, aws-ses-v2-local)
 * that the global setup starts on free ports and stops.
 */
export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        // Every scenario builds its own in-memory store, so files may share one module graph: loading the
        // use cases once, not per file, keeps the tier to a few seconds.
        test: { name: 'fast', include: ['test/fast/**/*.test.ts'], isolate: false },
      },
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
