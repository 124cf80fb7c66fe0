/**
 * `npm run billing-run -- --cut-off 2026-11-30`: starts a billing run on the running local stack through
 * the API (`POST /v1/billing-runs`), follows it with a progress bar, prints its summary, and exits 1 when
 * the run failed.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { localDate } from '../../shared/core/domain/periods.js';
import {
  CliError,
  followBillingRun,
  formatRunSummary,
  isLocalDate,
  localOperatorApi,
  startBillingRun,
} from './billing-client.js';

const HELP = `Usage: npm run billing-run -- [--cut-off YYYY-MM-DD]

Starts a billing run on the local stack (\`npm start\` must be running) and follows it.
Every billing period whose last day is on or before the cut-off (a local date, Europe/Paris, today or
earlier) is closed: its accounts get their consolidated invoice, dated today, stored in the local bucket
and emailed to the local mailbox. With today's date, the periods ending today close now, as the daily
22:00 run does on AWS: orders placed afterwards go on the next period's invoice.

Options
  --cut-off YYYY-MM-DD   the run's cut-off; default: today in Europe/Paris
  -h, --help             this help

Environment
  OPERATOR_KEY   operator API key (default: the demo key in .local/demo-keys.json)
  PORT           API port when .local/stack.json is absent (default 3000)

Exit code 0 when the run succeeded (some accounts may still have failed: see the summary), 1 otherwise.`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let values: { 'cut-off'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'cut-off': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const cutOff = values['cut-off'] ?? localDate(new Date(), 'Europe/Paris');
  if (!isLocalDate(cutOff)) {
    console.error(`--cut-off must be a real date written YYYY-MM-DD, got "${cutOff}".`);
    return 2;
  }
  const api = localOperatorApi();
  console.log(
    `Starting a billing run for cut-off ${cutOff}${values['cut-off'] ? '' : ' (today)'} on ${api.baseUrl}…`,
  );
  const started = await startBillingRun(api, cutOff);
  const run = await followBillingRun(api, started);
  console.log(`\n${formatRunSummary(run)}`);
  return run.status === 'failed' ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof CliError ? error.message : error);
      process.exit(1);
    },
  );
}
