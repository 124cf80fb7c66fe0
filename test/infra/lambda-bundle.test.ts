import { Readable } from 'node:stream';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionEntry, LAMBDA_BUNDLING, REPO_ROOT } from '../../infra/bundling/esbuild-options.js';
import { ReadableStream as LazyReadableStream } from '../../infra/bundling/lazy-web-streams.js';

/** A function's bundle as ProjectFunction builds it (in memory). */
async function bundle(name: string): Promise<string> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [`${REPO_ROOT}${functionEntry(name)}`],
    bundle: true,
    write: false,
    logLevel: 'silent',
    target: LAMBDA_BUNDLING.target,
    format: LAMBDA_BUNDLING.format,
    platform: LAMBDA_BUNDLING.platform,
    minify: LAMBDA_BUNDLING.minify,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    banner: { js: LAMBDA_BUNDLING.banner },
    alias: { ...LAMBDA_BUNDLING.alias },
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('Lambda bundles', () => {
  it("do not load Node's web streams at import: middy's check goes through the lazy stand-in", async () => {
    const code = await bundle('orders-create');
    expect(code).toContain('middy');
    expect(code).not.toMatch(/["']node:stream\/web["']/);
    expect(code).not.toMatch(/["']stream\/web["']/);
  });

  it('hold the schemas of what they read, not those of their answers (documentation only)', async () => {
    const code = await bundle('orders-create');
    expect(code).toMatch(/id:\s*"CreateOrder"/);
    expect(code).not.toMatch(/id:\s*"(Order|OrderLine|BillingPeriod)"/);
  });

  it('the stand-in answers instanceof as the real ReadableStream does', () => {
    expect(new globalThis.ReadableStream()).toBeInstanceOf(LazyReadableStream);
    expect(Readable.from(['a']) instanceof LazyReadableStream).toBe(false);
    expect({ getReader: () => undefined } instanceof LazyReadableStream).toBe(false);
    expect(('text' as unknown) instanceof LazyReadableStream).toBe(false);
  });
});
