import { fileURLToPath } from 'node:url';

/** Repository root, from this file's place in it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How every Lambda is bundled, shared by the CDK functions and the bench (which measures the very bundles
 * that would deploy). ESM for Node.js 22; `module` before `main` so esbuild tree-shakes the AWS SDK's ES
 * builds (its CommonJS builds are single files and about 60 % larger); the credential chain replaced by
 * the environment provider (see lambda-credentials.ts); Node's web streams loaded only when used (see
 * lazy-web-streams.ts).
 */
export const LAMBDA_BUNDLING = {
  target: 'node22',
  format: 'esm',
  platform: 'node',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  /** ESM bundles still meet CommonJS dependencies that call require(). */
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  alias: {
    '@aws-sdk/credential-provider-node': `${REPO_ROOT}infra/bundling/lambda-credentials.ts`,
    'node:stream/web': `${REPO_ROOT}infra/bundling/lazy-web-streams.ts`,
  },
} as const;

/** Entry file of a function, relative to the repository root. */
export const functionEntry = (name: string) => `functions/${name}/handler.ts`;
