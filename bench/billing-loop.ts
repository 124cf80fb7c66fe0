/**
 * The billing run's baseline: the same per-invoice work (build, number, render and store, submit, email) done by a
 * plain loop that calls the use cases the workflow's handlers call, with no state machine, no Map and no
 * handler edge (input parsing, logging, the Lambda context), at the concurrency of the definition's Maps,
 * on the same emulators, SDK clients and process. What an operator would otherwise run.
 *
 * Steps as the workflow takes them: StartRun; pages of DUE_PAGE_SIZE accounts, each built by `buildAccount`
 * with BuildAccounts' concurrency, one page after the other; `numberInvoices` until nothing is left; pages
 * of invoices to send, each delivered (`storePdf`, `submitEInvoice`, `sendInvoiceEmail`) with DeliverInvoices'
 * concurrency; FinishRun. One difference: the loop is given its accounts instead of listing the due ones
 * (ListDue would list the workflow's accounts too), which spares it two or three queries per run.
 *
 * Import this module only after `process.env` points the SDK at the emulators (see billing-local.ts).
 */
import { performance } from 'node:perf_hooks';
import { baseFor, billingStepDeps, einvoiceSubmissionDeps } from '../shared/composition/root.js';
import { type DeliverInvoiceInput, DUE_PAGE_SIZE } from '../shared/contracts/workflow/workflow.js';
import {
  buildAccount,
  finishRun,
  listToSend,
  numberInvoices,
  startRun,
} from '../shared/core/usecases/billing.js';
import { sendInvoiceEmail, storePdf } from '../shared/core/usecases/billing-delivery.js';
import { submitEInvoice } from '../shared/core/usecases/einvoice-submission.js';
import { pool } from './billing-local.js';
import { round } from './stats.js';

export interface LoopOutcome {
  runId: string;
  accounts: number;
  /** Invoices the run's summary counts as sent, and the wall time from StartRun to FinishRun's end. */
  invoicesSent: number;
  wallSec: number;
  invoicesPerSecond: number;
  concurrency: { build: number; deliver: number };
  /** Wall-clock span of each part, s. */
  phasesSec: { build: number; number: number; deliver: number };
  /** Errors the loop caught per item (the workflow would record them on the run and go on). */
  failures: number;
  firstFailures: string[];
}

/** Runs the loop over `accountIds` for `cutOff` under the run id `runId`. */
export async function runPlainLoop(options: {
  runId: string;
  cutOff: string;
  accountIds: readonly string[];
  concurrency: { build: number; deliver: number };
}): Promise<LoopOutcome> {
  const base = baseFor();
  const deps = billingStepDeps(base);
  const submission = einvoiceSubmissionDeps(base);
  const { runId, cutOff, accountIds, concurrency } = options;
  const failures: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      failures.push(`${what}: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 300));
    }
  };

  const began = performance.now();
  await startRun(deps, { trigger: 'api', cutOff, runId });
  for (let first = 0; first < accountIds.length; first += DUE_PAGE_SIZE) {
    const page = accountIds.slice(first, first + DUE_PAGE_SIZE);
    await pool(concurrency.build, page.length, (i) => {
      const accountId = page[i] as string;
      return attempt(`build ${accountId}`, () => buildAccount(deps, { runId, cutOff, accountId }));
    });
  }
  const built = performance.now();
  while ((await numberInvoices(deps, { runId })).more) {
    // Several batches per call, as the workflow's NumberInvoices step loops.
  }
  const numbered = performance.now();
  let cursor: string | null = null;
  do {
    const page = await listToSend(deps, { runId, cursor });
    await pool(concurrency.deliver, page.invoices.length, (i) => {
      const invoice: DeliverInvoiceInput = { runId, ...page.invoices[i] } as DeliverInvoiceInput;
      return attempt(`deliver ${invoice.invoiceId}`, async () => {
        await storePdf(deps, invoice);
        await submitEInvoice(submission, invoice);
        await sendInvoiceEmail(deps, invoice);
      });
    });
    cursor = page.cursor;
  } while (cursor);
  const delivered = performance.now();
  const summary = await finishRun(deps, { runId });
  const wallMs = performance.now() - began;
  return {
    runId,
    accounts: accountIds.length,
    invoicesSent: summary.invoicesSent,
    wallSec: round(wallMs / 1000, 2),
    invoicesPerSecond: round(summary.invoicesSent / (wallMs / 1000), 1),
    concurrency,
    phasesSec: {
      build: round((built - began) / 1000, 2),
      number: round((numbered - built) / 1000, 2),
      deliver: round((delivered - numbered) / 1000, 2),
    },
    failures: failures.length,
    firstFailures: failures.slice(0, 5),
  };
}
