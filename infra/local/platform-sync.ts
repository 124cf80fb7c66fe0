/**
 * `npm run platform-sync`: runs the approved platform's poll (the `platform-sync` function EventBridge
 * Scheduler invokes every 15 minutes on AWS) once, now, against the running local stack: lifecycle statuses
 * the webhook missed are recorded on their invoices, and the "Encaissée" statuses that are due are sent to
 * the fake platform, once each. Rerunning it changes nothing that was already done.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError, useRunningStack } from './billing-client.js';

const HELP = `Usage: npm run platform-sync

Polls the local fake approved platform once (\`npm start\` must be running), as the scheduled
platform-sync function does every 15 minutes: statuses the webhook missed arrive on their invoices
(GET /v1/invoices/{id} shows einvoice.status and its history), and every "Encaissée" (212) that a
payment made due is sent, once.

Options
  -h, --help   this help`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let values: { help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' } },
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
  const stack = useRunningStack();
  const host = 'http://127.0.0.1';
  // The deployed function's own handler, imported once the environment points at the local stack.
  const { handler } = await import('../../functions/platform-sync/handler.js');
  const { updates, collections } = await handler({});
  console.log(
    [
      'Approved platform poll:',
      `  pages read                 ${updates.pages}`,
      `  statuses read              ${updates.events}`,
      `  new on our invoices        ${updates.recorded}`,
      `  already recorded           ${updates.duplicates}`,
      `  about no invoice of ours   ${updates.unknown}`,
      `  Encaissée sent             ${collections.sent}  (the fake platform: ${host}:${stack.ports.platform}/)`,
      `  Encaissée to retry         ${collections.retryLater + collections.unknownOutcome}`,
    ].join('\n'),
  );
  return collections.retryLater + collections.unknownOutcome > 0 ? 1 : 0;
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
