/**
 * `npm run receivables-day -- [--today YYYY-MM-DD]`: runs the daily receivables follow-up (the
 * `receivables-daily` function the EventBridge schedule invokes every morning on AWS) once, now, against
 * the running local stack: overdue marks, reminder emails to the local mailbox, suspensions. Rerunning it
 * the same day changes nothing: every step is recorded once.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RECEIVABLES_PAGE_SIZE } from '../../shared/core/usecases/receivables.js';
import { CliError, isLocalDate, useRunningStack } from './billing-client.js';

const HELP = `Usage: npm run receivables-day -- [--today YYYY-MM-DD]

Runs the daily receivables follow-up on the local stack (\`npm start\` must be running): invoices due
before "today" that are still unpaid are marked overdue, reminded on the ladder (1, 15 and 30 days after
the due date by default: REMINDER_DAYS) and, past SUSPEND_AFTER_DAYS (30), suspend their account's
deferred ordering until paid. Reminders land in the local mailbox. Invoices are followed up a page
at a time with a checkpoint, as on AWS: a day interrupted resumes where it stopped when run again.

Options
  --today YYYY-MM-DD   the day to run for (Europe/Paris); default: today. A later day shows what the
                       ladder does as invoices age.
  -h, --help           this help`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  let values: { today?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { today: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  if (values.today !== undefined && !isLocalDate(values.today)) {
    console.error(`--today must be a real date written YYYY-MM-DD, got "${values.today}".`);
    return 2;
  }
  const stack = useRunningStack();
  const host = 'http://127.0.0.1';
  // The deployed function's own handler, imported once the environment points at the local stack.
  const { handler } = await import('../../functions/receivables-daily/handler.js');
  // Page after page, as the receivables workflow calls it on AWS (FirstPage, then NextPage until done): an
  // interrupted day (Ctrl-C, a crash) resumes at its checkpoint on the next run.
  let step = await handler(values.today ? { today: values.today } : {});
  while (!step.done && !step.superseded) {
    step = await handler({ today: step.today, passId: step.passId });
  }
  const { summary } = step;
  console.log(
    [
      `Receivables follow-up for ${summary.today}:`,
      `  open invoices due before that day   ${summary.invoicesDue}`,
      `  marked overdue                      ${summary.markedOverdue}`,
      `  reminders sent                      ${summary.remindersSent}  (mailbox: ${host}:${stack.ports.ses}/)`,
      `  reminder steps skipped (past)       ${summary.remindersSkipped}`,
      `  reminders that failed               ${summary.reminderFailures}`,
      `  accounts suspended                  ${summary.accountsSuspended}`,
      `  invoices that failed                ${summary.invoiceFailures}`,
      `  pages (${RECEIVABLES_PAGE_SIZE} invoices at most)         ${step.pages}`,
    ].join('\n'),
  );
  return summary.reminderFailures > 0 || summary.invoiceFailures > 0 ? 1 : 0;
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
