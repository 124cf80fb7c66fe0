import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ulid } from 'ulid';
import type { AccountRepository } from '../../adapters/dynamo/account-repository.js';
import type { BillingRepository } from '../../adapters/dynamo/billing-repository.js';
import type { CreditNoteRepository } from '../../adapters/dynamo/credit-note-repository.js';
import type { DownloadLinks } from '../../adapters/s3/download-links.js';
import type { BillingRun, Invoice } from '../../contracts/schemas/invoice.js';
import type { RunInput } from '../../contracts/workflow/workflow.js';
import { type InvoiceRecord, invoiceView } from '../domain/invoices.js';
import { localDate } from '../domain/periods.js';
import { conflict, notFound, refused } from '../errors.js';
import type { Clock } from '../ports/clock.js';

export interface BillingRunDeps {
  billing: BillingRepository;
  sfn: SFNClient;
  stateMachineArn: string;
  clock: Clock;
  timeZone: string;
}

/** Starts a billing run for a cut-off: the run record first (so it can be followed at once), then the workflow. */
export async function startBillingRun(
  deps: BillingRunDeps,
  request: { cutOff: string },
): Promise<BillingRun> {
  const today = localDate(deps.clock.now(), deps.timeZone);
  if (request.cutOff > today) {
    throw refused(
      'cut_off_in_future',
      `The cut-off ${request.cutOff} is after today (${today}): its periods have not ended.`,
      [{ field: 'cutOff', reason: `must be ${today} or earlier` }],
    );
  }
  const runId = `run_${request.cutOff}_${ulid().toLowerCase()}`;
  const startedAt = deps.clock.now().toISOString();
  await deps.billing.createRun(runId, request.cutOff, startedAt, runId);
  const input: RunInput = { trigger: 'api', cutOff: request.cutOff, runId };
  try {
    await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: runId,
        input: JSON.stringify(input),
      }),
    );
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
  }
  return (await deps.billing.getRun(runId)) as BillingRun;
}

/** A run and its summary; a run whose workflow failed outright says so. */
export async function getBillingRun(deps: BillingRunDeps, runId: string): Promise<BillingRun> {
  const run = await deps.billing.getRun(runId);
  if (!run) throw notFound('billing_run', runId);
  if (run.status === 'running') {
    const executionArn = `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
    try {
      const execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status && ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status)) {
        return {
          ...run,
          status: 'failed',
          failures: [
            ...run.failures,
            {
              stage: 'build',
              reason:
                `Workflow ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim(),
            },
          ],
        };
      }
    } catch (error) {
      // A run started by the schedule has another execution name; its record is the truth then.
      if ((error as { name?: string }).name !== 'ExecutionDoesNotExist') throw error;
    }
  }
  return run;
}

/** Runs the same cut-off again: whatever is missing (failed accounts, unsent invoices) gets done, nothing twice. */
export async function rerunBillingRun(deps: BillingRunDeps, runId: string): Promise<BillingRun> {
  const run = await deps.billing.getRun(runId);
  if (!run) throw notFound('billing_run', runId);
  return startBillingRun(deps, { cutOff: run.cutOff });
}

export interface InvoiceDeps {
  accounts: Pick<AccountRepository, 'get'>;
  billing: BillingRepository;
  /** Credit notes, read for their PDF's download link. */
  creditNotes: Pick<CreditNoteRepository, 'get'>;
  links: DownloadLinks;
  bucket: string;
}

/** How long a download link works. */
const DOWNLOAD_LINK_SECONDS = 300;

/** A short-lived link to a PDF of the invoice bucket. */
async function downloadLink(
  deps: Pick<InvoiceDeps, 'links' | 'bucket'>,
  s3Key: string,
  now: Date,
): Promise<{ url: string; expiresAt: string }> {
  return {
    url: await deps.links.presignGet(deps.bucket, s3Key, DOWNLOAD_LINK_SECONDS),
    expiresAt: new Date(now.getTime() + DOWNLOAD_LINK_SECONDS * 1000).toISOString(),
  };
}

/**
 * An account's invoices, a page at a time; an unknown account is a 404 like on every account sub-resource.
 * Only an empty page costs the extra read: an account with invoices exists.
 */
export async function listAccountInvoices(
  deps: Pick<InvoiceDeps, 'accounts' | 'billing'>,
  request: { accountId: string; limit: number; cursor?: string },
): Promise<{ items: Invoice[]; nextCursor?: string }> {
  const page = await deps.billing.listInvoices(request.accountId, request.limit, request.cursor);
  if (page.items.length === 0 && !(await deps.accounts.get(request.accountId))) {
    throw notFound('account', request.accountId);
  }
  return page;
}

async function findInvoice(deps: Pick<InvoiceDeps, 'billing'>, invoiceId: string): Promise<InvoiceRecord> {
  const invoice = await deps.billing.getInvoice(invoiceId);
  if (!invoice) throw notFound('invoice', invoiceId);
  return invoice;
}

export async function getInvoice(deps: Pick<InvoiceDeps, 'billing'>, invoiceId: string): Promise<Invoice> {
  return invoiceView(await findInvoice(deps, invoiceId));
}

/** A short-lived download link for an issued invoice's PDF. */
export async function invoicePdfLink(
  deps: InvoiceDeps,
  invoiceId: string,
  now: Date,
): Promise<{ url: string; expiresAt: string }> {
  const invoice = await findInvoice(deps, invoiceId);
  if (!invoice.pdf) throw conflict('invoice_pdf_not_ready', `Invoice ${invoiceId} has no PDF yet.`);
  return downloadLink(deps, invoice.pdf.s3Key, now);
}

/** A short-lived download link for a credit note's PDF (stored right after issue by its delivery). */
export async function creditNotePdfLink(
  deps: InvoiceDeps,
  creditNoteId: string,
  now: Date,
): Promise<{ url: string; expiresAt: string }> {
  const creditNote = await deps.creditNotes.get(creditNoteId);
  if (!creditNote) throw notFound('credit_note', creditNoteId);
  if (!creditNote.pdf) {
    throw conflict('credit_note_pdf_not_ready', `Credit note ${creditNoteId} has no PDF yet.`);
  }
  return downloadLink(deps, creditNote.pdf.s3Key, now);
}

/** Review window: hold a draft back from numbering, or release it. Only drafts (never issued invoices). */
export async function setInvoiceHeld(
  deps: Pick<InvoiceDeps, 'billing'>,
  invoiceId: string,
  held: boolean,
): Promise<Invoice> {
  const invoice = await findInvoice(deps, invoiceId);
  const target = held ? 'held' : 'draft';
  if (invoice.status === target) return invoiceView(invoice);
  if (!(await deps.billing.setHeld(invoice, held))) {
    throw conflict(
      'invoice_not_draft',
      `Invoice ${invoiceId} is ${invoice.status}: only drafts can be held or released; issued invoices never change.`,
    );
  }
  return invoiceView((await findInvoice(deps, invoiceId)) as InvoiceRecord);
}
