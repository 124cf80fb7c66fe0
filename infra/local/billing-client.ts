/**
 * What `npm run billing-run` and `npm run demo` share: finding the running local stack and its operator key,
 * calling the billing-run API, and following a run on the terminal with a progress bar.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BillingRun } from '../../shared/contracts/schemas/invoice.js';
import { localEnvironment } from './environment.js';
import { DEMO_KEYS_FILE, LOCAL_NAMES, type LocalPorts, localPorts, STACK_FILE } from './settings.js';

/** A message for the person at the terminal: printed without a stack trace, exit code 1. */
export class CliError extends Error {}

/** `.local/stack.json`, written by `npm start` while it runs. */
export interface StackFile {
  pid: number;
  ports: LocalPorts;
}

export function readStackFile(): StackFile | undefined {
  if (!existsSync(STACK_FILE)) return undefined;
  try {
    const stack = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackFile;
    process.kill(stack.pid, 0); // throws when that process is gone: a stale file
    return stack;
  } catch {
    return undefined;
  }
}

/**
 * Points this process's SDK clients (and the platform adapter) at the running local stack, so a tool can
 * call the deployed functions' own handlers or use cases against it; the stack, or a CliError to print.
 */
export function useRunningStack(): StackFile {
  const stack = readStackFile();
  if (!stack)
    throw new CliError('The local stack is not running: start it with `npm start` (in another terminal).');
  const { ports } = stack;
  const host = 'http://127.0.0.1';
  Object.assign(
    process.env,
    localEnvironment(
      {
        dynamodb: `${host}:${ports.dynamodb}`,
        s3: `${host}:${ports.s3}`,
        ses: `${host}:${ports.ses}`,
        ...(ports.sfn ? { sfn: `${host}:${ports.sfn}` } : {}),
        ...(ports.platform ? { platform: `${host}:${ports.platform}` } : {}),
      },
      LOCAL_NAMES,
    ),
    { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' },
  );
  return stack;
}

/** `.local/demo-keys.json`, written by `npm start` when it seeds the demo. */
export interface DemoKeys {
  operatorKey?: string;
  storefrontId?: string;
  storefrontKey?: string;
  /** Demo account ids by contract reference. */
  accounts?: Record<string, string>;
}

export function readDemoKeys(): DemoKeys {
  if (!existsSync(DEMO_KEYS_FILE)) return {};
  return JSON.parse(readFileSync(DEMO_KEYS_FILE, 'utf8')) as DemoKeys;
}

/** The local API: base URL from `.local/stack.json` (else PORT), key from OPERATOR_KEY (else the demo keys). */
export function localOperatorApi(): ApiClient {
  const ports = readStackFile()?.ports ?? localPorts();
  const apiKey = process.env.OPERATOR_KEY || readDemoKeys().operatorKey;
  if (!apiKey) {
    throw new CliError(
      `No operator key: set OPERATOR_KEY, or run \`npm start\` once so it writes ${DEMO_KEYS_FILE}.`,
    );
  }
  return new ApiClient(`http://127.0.0.1:${ports.api}`, apiKey);
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** A minimal JSON client of the product's API, with an operator key. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request(
    method: string,
    path: string,
    json?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    } catch (error) {
      throw new CliError(
        `Cannot reach the API at ${this.baseUrl} (${causeOf(error)}). Is \`npm start\` running? ` +
          '(PORT chooses another port.)',
      );
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body };
  }

  /** The body of a 2xx answer; a CliError explaining anything else. */
  async expectOk(method: string, path: string, json?: unknown): Promise<unknown> {
    const answer = await this.request(method, path, json);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw new CliError(`${method} ${path} answered ${describeProblem(answer)}`);
  }
}

const causeOf = (error: unknown) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
};

/** `404 route_not_found: No route matches …` from a problem+json answer. */
export function describeProblem(answer: ApiAnswer): string {
  const problem = answer.body as { code?: string; detail?: string; title?: string } | undefined;
  const hint =
    answer.status === 401 || answer.status === 403
      ? ' (check OPERATOR_KEY or .local/demo-keys.json: `npm run reset` forgets the keys)'
      : '';
  if (problem && typeof problem === 'object') {
    return `${answer.status} ${problem.code ?? problem.title ?? ''}: ${problem.detail ?? JSON.stringify(problem)}${hint}`;
  }
  return `${answer.status}${answer.body ? `: ${String(answer.body).slice(0, 300)}` : ''}${hint}`;
}

// ---------------------------------------------------------------------------------------------------------
// Billing runs.

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isLocalDate(value: string): boolean {
  const match = LOCAL_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** `POST /v1/billing-runs {cutOff}`: the run as the API answers it (202, running). */
export async function startBillingRun(api: ApiClient, cutOff: string): Promise<BillingRun> {
  const answer = await api.request('POST', '/v1/billing-runs', { cutOff });
  if (answer.status === 404 && (answer.body as { code?: string })?.code === 'route_not_found') {
    throw new CliError(
      'This API has no POST /v1/billing-runs route yet (is `npm start` running the current code? restart it).',
    );
  }
  if (answer.status < 200 || answer.status >= 300) {
    throw new CliError(`POST /v1/billing-runs answered ${describeProblem(answer)}`);
  }
  if (typeof (answer.body as BillingRun | undefined)?.runId !== 'string') {
    throw new CliError(`POST /v1/billing-runs answered no runId: ${JSON.stringify(answer.body)}`);
  }
  return normalizeRun(answer.body as BillingRun);
}

/** A run with every counter present (the answer to a start may carry only some of them). */
export function normalizeRun(run: Partial<BillingRun> & Pick<BillingRun, 'runId'>): BillingRun {
  return {
    cutOff: '',
    status: 'running',
    startedAt: new Date().toISOString(),
    accountsDue: 0,
    invoiced: 0,
    skipped: 0,
    failed: 0,
    invoicesIssued: 0,
    invoicesSent: 0,
    invoicesSubmitted: 0,
    invoicesRejected: 0,
    ...run,
    failures: run.failures ?? [],
  };
}

export interface FollowOptions {
  /** Where the progress goes (a bar redrawn in place on a TTY, plain lines otherwise). */
  out?: NodeJS.WriteStream;
  intervalMs?: number;
}

/** Polls `GET /v1/billing-runs/{runId}` until the run is no longer running, showing its progress. */
export async function followBillingRun(
  api: ApiClient,
  started: BillingRun,
  options: FollowOptions = {},
): Promise<BillingRun> {
  const progress = new ProgressLine(options.out ?? process.stdout);
  const interval = options.intervalMs ?? (progress.tty ? 300 : 1000);
  let run = started;
  let transientFailures = 0;
  progress.update(run);
  try {
    while (run.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, interval));
      const answer = await api.request('GET', `/v1/billing-runs/${encodeURIComponent(started.runId)}`);
      if (answer.status === 200) {
        run = normalizeRun(answer.body as BillingRun);
        transientFailures = 0;
      } else if (answer.status >= 500 && ++transientFailures < 5) {
        continue;
      } else if (answer.status !== 404 || ++transientFailures >= 20) {
        // A 404 right after the start may be the run record not written yet; anything else is an answer.
        throw new CliError(`GET /v1/billing-runs/${started.runId} answered ${describeProblem(answer)}`);
      }
      progress.update(run);
    }
  } finally {
    progress.end();
  }
  return run;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 24;

/** One progress line: redrawn in place on a terminal, printed when it changes (at most every 2 s) elsewhere. */
export class ProgressLine {
  readonly tty: boolean;
  private frame = 0;
  private lastPlain = '';
  private lastPlainAt = 0;
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  }

  update(run: BillingRun): void {
    if (this.tty) {
      const spinner = SPINNER[this.frame++ % SPINNER.length];
      const width = Math.max(20, (this.out.columns || 100) - 1);
      const plain = `${spinner} ${progressText(run, false)}`;
      // Colours only when the line fits: slicing could cut an escape sequence in half.
      const line = plain.length <= width ? `${spinner} ${progressText(run, true)}` : plain.slice(0, width);
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
      return;
    }
    const line = progressText(run, false);
    const now = Date.now();
    if (line !== this.lastPlain && (run.status !== 'running' || now - this.lastPlainAt >= 2000)) {
      this.out.write(`${line}\n`);
      this.lastPlain = line;
      this.lastPlainAt = now;
    }
  }

  end(): void {
    if (this.tty && this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

function bar(done: number, total: number, ansi: boolean): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * BAR_WIDTH);
  const full = '█'.repeat(filled);
  const empty = '░'.repeat(BAR_WIDTH - filled);
  return ansi ? `\x1b[32m${full}\x1b[2m${empty}\x1b[0m` : `${full}${empty}`;
}

/** The progress of a run in one line: accounts built, then invoices sent (the run id last: cut first). */
export function progressText(run: BillingRun, ansi: boolean): string {
  const processed = run.invoiced + run.skipped + run.failed;
  const failed = run.failed > 0 ? ` · ${run.failed} failed` : '';
  const percent = (done: number, total: number) =>
    `${String(total > 0 ? Math.floor((100 * done) / total) : 100).padStart(3)}%`;
  let text: string;
  if (run.status !== 'running') {
    text =
      `${run.status.padEnd(9)} [${bar(processed, Math.max(processed, run.accountsDue), ansi)}]  ` +
      `accounts ${processed}/${run.accountsDue} · invoices sent ${run.invoicesSent}/${run.invoicesIssued}${failed}`;
  } else if (run.accountsDue === 0) {
    text = 'listing the accounts due…';
  } else if (processed < run.accountsDue || run.invoicesIssued === 0) {
    text =
      `building  [${bar(processed, run.accountsDue, ansi)}] ${percent(processed, run.accountsDue)}  ` +
      `accounts ${processed}/${run.accountsDue} · invoices issued ${run.invoicesIssued}${failed}`;
  } else {
    text =
      `sending   [${bar(run.invoicesSent, run.invoicesIssued, ansi)}] ${percent(run.invoicesSent, run.invoicesIssued)}  ` +
      `invoices sent ${run.invoicesSent}/${run.invoicesIssued} · accounts ${processed}/${run.accountsDue}${failed}`;
  }
  return `${text}   ${run.runId}`;
}

/**
 * A failure reason for a person: Lambda's JSON cause (`{"errorType","errorMessage","trace"}`, what Step
 * Functions reports for a failed function) shortened to its message, and nothing longer than a few lines.
 */
export function readableReason(reason: string): string {
  const readable = reason.replace(/\{"errorType":.*\}/s, (json) => {
    try {
      const cause = JSON.parse(json) as { errorMessage?: string };
      return cause.errorMessage ?? json;
    } catch {
      return json;
    }
  });
  return readable.length > 400 ? `${readable.slice(0, 400)}…` : readable;
}

/** The end-of-run summary: invoiced, skipped, failed and why. */
export function formatRunSummary(run: BillingRun): string {
  const seconds =
    run.finishedAt && run.startedAt
      ? ` in ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`
      : '';
  const lines = [
    `Billing run ${run.runId}, cut-off ${run.cutOff}: ${run.status}${seconds}`,
    `  accounts due     ${run.accountsDue}`,
    `  invoiced         ${run.invoiced}`,
    `  skipped          ${run.skipped}   (nothing to bill)`,
    `  failed           ${run.failed}`,
    `  invoices issued  ${run.invoicesIssued}, sent ${run.invoicesSent}`,
  ];
  if (run.failures.length > 0) {
    lines.push('  Failures:');
    for (const failure of run.failures) {
      const subject = failure.accountId ?? failure.invoiceId ?? '';
      lines.push(`    ${failure.stage.padEnd(7)} ${subject}  ${readableReason(failure.reason)}`);
    }
  }
  return lines.join('\n');
}
