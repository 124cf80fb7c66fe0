/**
 * The Lambda bundles exactly as the CDK builds them (infra/bundling/esbuild-options.ts, plus the
 * `sourcesContent: false` ProjectFunction sets), their sizes and what fills them, and the time a fresh Node
 * process takes to import each one (the Lambda init phase, without network). The init baseline, a bundle
 * holding only the DynamoDB document client (bench/baseline/document-client.ts), is built and timed the
 * same way, interleaved with the functions.
 */
import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { functionEntry, LAMBDA_BUNDLING, REPO_ROOT } from '../infra/bundling/esbuild-options.js';
import { routeKey, routesOf } from '../shared/contracts/http/routes/index.js';
import { exampleOrder } from '../test/builders/orders.js';
import { median, round } from './stats.js';

const execFileAsync = promisify(execFile);

export interface BundleInfo {
  /** Bytes of the minified JS output (`index.mjs`), source map excluded. */
  bytes: number;
  mapBytes: number;
  file: string;
  /** The largest contributors (npm package or project folder) by bytes in the output. */
  largestInputs: Array<{ source: string; bytes: number }>;
}

/** The init baseline: the DynamoDB document client alone, as a Lambda bundle. */
export const DOCUMENT_CLIENT_BASELINE = 'baseline-document-client';
const BASELINE_ENTRIES: Record<string, string> = {
  [DOCUMENT_CLIENT_BASELINE]: 'bench/baseline/document-client.ts',
};

/** Entry file of a function or of a baseline bundle, relative to the repository root. */
const entryOf = (name: string) => BASELINE_ENTRIES[name] ?? functionEntry(name);

/**
 * Builds each function (or baseline); one that does not build is reported in `failed` (the product is
 * broken, not the bench) and the others are still measured.
 */
export async function buildBundles(
  names: readonly string[],
  outDir: string,
): Promise<{ bundles: Record<string, BundleInfo>; failed: Record<string, string> }> {
  const bundles: Record<string, BundleInfo> = {};
  const failed: Record<string, string> = {};
  for (const name of names) {
    const outfile = join(outDir, name, 'index.mjs');
    const result = await build({
      absWorkingDir: REPO_ROOT,
      entryPoints: [join(REPO_ROOT, entryOf(name))],
      outfile,
      bundle: true,
      write: true,
      metafile: true,
      logLevel: 'warning',
      target: LAMBDA_BUNDLING.target,
      format: LAMBDA_BUNDLING.format,
      platform: LAMBDA_BUNDLING.platform,
      minify: LAMBDA_BUNDLING.minify,
      sourcemap: LAMBDA_BUNDLING.sourcemap,
      sourcesContent: false,
      mainFields: [...LAMBDA_BUNDLING.mainFields],
      banner: { js: LAMBDA_BUNDLING.banner },
      alias: { ...LAMBDA_BUNDLING.alias },
      // bundleAwsSDK: true, externalModules: [] in ProjectFunction: nothing is external.
      external: [],
    }).catch((error: unknown) => {
      failed[name] = String((error as Error).message ?? error)
        .split('\n')
        .slice(0, 3)
        .join(' ');
      return undefined;
    });
    if (!result) continue;
    bundles[name] = {
      bytes: (await stat(outfile)).size,
      mapBytes: (await stat(`${outfile}.map`)).size,
      file: outfile,
      largestInputs: largestInputs(result.metafile),
    };
  }
  return { bundles, failed };
}

/** Groups the output's bytes by npm package (`@aws-sdk/client-dynamodb`) or project folder (`shared/domain`). */
function largestInputs(metafile: Metafile, top = 8): Array<{ source: string; bytes: number }> {
  const bySource = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const inModules = path.split('node_modules/');
      const tail = inModules[inModules.length - 1] as string;
      const source =
        inModules.length > 1
          ? tail.startsWith('@')
            ? tail.split('/').slice(0, 2).join('/')
            : (tail.split('/')[0] as string)
          : path.split('/').slice(0, 2).join('/');
      bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
    }
  }
  return [...bySource.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([source, bytes]) => ({ source, bytes }));
}

/** Runs in the child: imports the bundle, then (optionally) invokes it once with a network-free event. */
const PROBE = `import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
const [bundleUrl, eventFile] = process.argv.slice(2);
const t0 = performance.now();
const module = await import(bundleUrl);
const importMs = performance.now() - t0;
let firstInvokeMs = null;
let answer = null;
if (eventFile) {
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  const context = { awsRequestId: 'probe', functionName: 'probe', getRemainingTimeInMillis: () => 10000 };
  const t1 = performance.now();
  const result = await module.handler(event, context);
  firstInvokeMs = performance.now() - t1;
  answer = result?.statusCode ?? (result?.isAuthorized === undefined ? null : \`isAuthorized=\${result.isAuthorized}\`);
}
process.stdout.write('\\n@@probe ' + JSON.stringify({ importMs, firstInvokeMs, answer }) + '\\n');
process.exit(0);
`;

/**
 * A first event each function can handle without the network: for orders-create a valid order without
 * its Idempotency-Key (authorised, parsed and validated by zod, refused 400 before any DynamoDB call); for
 * the other API functions a request whose key the authorizer did not recognise (401); for the authorizer
 * a malformed Authorization header; for a baseline bundle, an empty event.
 */
function networkFreeEvent(name: string): object {
  if (BASELINE_ENTRIES[name]) return {};
  if (name === 'authorizer') {
    return {
      version: '2.0',
      type: 'REQUEST',
      routeKey: 'POST /v1/orders',
      headers: { authorization: 'Basic x' },
      identitySource: ['Basic x'],
      requestContext: { requestId: 'probe' },
    };
  }
  const route = routesOf(name as Parameters<typeof routesOf>[0])[0];
  if (!route) throw new Error(`No route for ${name}`);
  const isCreate = name === 'orders-create';
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: route.path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      requestId: 'probe',
      routeKey: routeKey(route),
      http: { method: route.method, path: route.path },
      authorizer: {
        lambda: isCreate
          ? { role: 'storefront', keyId: 'key_probe', storefrontId: 'sf_01JD3Z8Q4N5V2B7C9X0K1M2P3R' }
          : { role: 'none', keyId: 'none', reason: 'unknown' },
      },
    },
    ...(isCreate
      ? {
          body: JSON.stringify(exampleOrder('acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R', 'PROBE-1')),
        }
      : {}),
    isBase64Encoded: false,
  };
}

export interface InitInfo {
  /** Median of the runs: from before `import()` to its resolution, with `--enable-source-maps` as deployed. */
  initMsMedian: number;
  initMsMin: number;
  initMsMax: number;
  /** The first invocation right after, with a network-free event. */
  firstInvokeMsMedian: number;
  /** What that first invocation answered (status code, or the authorizer's verdict). */
  firstInvokeAnswer: string;
  runs: number;
}

/** What the Lambda runtime would give the function (ProjectFunction's environment), no real endpoint. */
function lambdaLikeEnv(name: string, sourceMaps: boolean): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'eu-west-3',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHPROBE',
    AWS_SECRET_ACCESS_KEY: 'bench-probe-secret',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    TABLE_NAME: 'deferred-billing-bench',
    INVOICE_BUCKET_NAME: 'deferred-billing-bench-invoices',
    MARKETPLACE_TIME_ZONE: 'Europe/Paris',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

export interface InitResults {
  /** As deployed: NODE_OPTIONS=--enable-source-maps. */
  withSourceMaps: Record<string, InitInfo>;
  /** The same bundles without --enable-source-maps (only those asked for): what the source maps cost. */
  withoutSourceMaps: Record<string, InitInfo>;
  /**
   * The pair asked for (`options.pair`, with source maps): the median over the runs of measured ÷ baseline,
   * each run importing the two back to back (in alternating order), so a burst of load on the machine
   * touches both sides of a ratio alike.
   */
  pairRatioMedian: number | undefined;
}

/**
 * Imports each bundle `runs` times, each time in a fresh `node`. The runs go round-robin over every bundle
 * (and the variants without source maps) so a burst of other work on the machine touches them all alike;
 * the two bundles of `pair` are imported back to back in each run, their order alternating.
 */
export async function measureInit(
  bundles: Record<string, BundleInfo>,
  outDir: string,
  options: {
    runs: number;
    withoutSourceMaps: readonly string[];
    pair?: { measured: string; baseline: string };
  },
): Promise<InitResults> {
  const probe = join(outDir, 'init-probe.mjs');
  await mkdir(outDir, { recursive: true });
  await writeFile(probe, PROBE);
  const variants = [
    ...Object.keys(bundles).map((name) => ({ name, sourceMaps: true })),
    ...options.withoutSourceMaps.filter((name) => bundles[name]).map((name) => ({ name, sourceMaps: false })),
  ];
  const samples = new Map<string, { imports: number[]; invokes: number[]; answer: string }>();
  for (const { name } of variants) {
    await writeFile(join(outDir, name, 'probe-event.json'), JSON.stringify(networkFreeEvent(name)));
  }
  const { pair } = options;
  const isPaired = (v: { name: string; sourceMaps: boolean }) =>
    v.sourceMaps && pair !== undefined && (v.name === pair.measured || v.name === pair.baseline);
  const pairRatios: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const pairOrder = pair
      ? run % 2 === 0
        ? [pair.baseline, pair.measured]
        : [pair.measured, pair.baseline]
      : [];
    const order = [
      ...pairOrder.filter((name) => bundles[name]).map((name) => ({ name, sourceMaps: true })),
      ...variants.filter((v) => !isPaired(v)),
    ];
    const thisRun = new Map<string, number>();
    for (const { name, sourceMaps } of order) {
      const bundle = bundles[name] as BundleInfo;
      const { stdout } = await execFileAsync(
        process.execPath,
        [probe, pathToFileURL(bundle.file).href, join(outDir, name, 'probe-event.json')],
        { env: lambdaLikeEnv(name, sourceMaps), cwd: outDir, timeout: 30_000 },
      );
      const line = stdout.split('\n').findLast((l) => l.startsWith('@@probe '));
      if (!line) throw new Error(`The init probe of ${name} printed no result:\n${stdout}`);
      const parsed = JSON.parse(line.slice('@@probe '.length)) as {
        importMs: number;
        firstInvokeMs: number;
        answer: unknown;
      };
      const key = `${name}|${sourceMaps}`;
      const entry = samples.get(key) ?? { imports: [], invokes: [], answer: '' };
      entry.imports.push(parsed.importMs);
      if (sourceMaps) thisRun.set(name, parsed.importMs);
      entry.invokes.push(parsed.firstInvokeMs);
      entry.answer = String(parsed.answer);
      samples.set(key, entry);
    }
    const measured = pair && thisRun.get(pair.measured);
    const baseline = pair && thisRun.get(pair.baseline);
    if (measured !== undefined && baseline !== undefined && baseline > 0)
      pairRatios.push(measured / baseline);
  }
  const summary = (sourceMaps: boolean) =>
    Object.fromEntries(
      variants
        .filter((v) => v.sourceMaps === sourceMaps)
        .map(({ name }) => {
          const { imports, invokes, answer } = samples.get(`${name}|${sourceMaps}`) ?? {
            imports: [],
            invokes: [],
            answer: '',
          };
          const info: InitInfo = {
            initMsMedian: round(median(imports)),
            initMsMin: round(Math.min(...imports)),
            initMsMax: round(Math.max(...imports)),
            firstInvokeMsMedian: round(median(invokes)),
            firstInvokeAnswer: answer,
            runs: imports.length,
          };
          return [name, info];
        }),
    );
  return {
    withSourceMaps: summary(true),
    withoutSourceMaps: summary(false),
    pairRatioMedian: pairRatios.length > 0 ? round(median(pairRatios), 3) : undefined,
  };
}
