import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_INVOICE_SENDER, LOCAL_ISSUER } from '../../infra/local/environment.js';
import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { keys } from '../../shared/adapters/dynamo/table.js';
import { billingStepDeps } from '../../shared/composition/root.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { InvoiceRef } from '../../shared/contracts/workflow/workflow.js';
import { DEFAULT_CUT_OFF_TIME } from '../../shared/core/domain/cut-off.js';
import { purchaseOrderKey } from '../../shared/core/domain/invoice-builder.js';
import { invoiceView } from '../../shared/core/domain/invoices.js';
import type { BillingConfig } from '../../shared/core/ports/settings.js';
import {
  type BillingDeps,
  buildAccount,
  finishRun,
  numberInvoices,
  startRun,
} from '../../shared/core/usecases/billing.js';
import { sendInvoiceEmail, storePdf } from '../../shared/core/usecases/billing-delivery.js';
import type { Services } from './given.js';

/**
 * Billing deps on the emulators with an issuer of the test's own: its own invoice sequence and numbering
 * queue, so test files running side by side never number each other's drafts.
 */
export function givenBillingDeps(services: Services, overrides: Partial<BillingConfig> = {}): BillingDeps {
  return billingStepDeps(
    services.base,
    aBillingConfig({
      invoiceBucketName: services.base.config.invoiceBucketName ?? 'invoices-test',
      ...overrides,
    }),
  );
}

/** The local issuer under an entity id of its own (its own invoice sequence and numbering queue), no review window. */
export function aBillingConfig(overrides: Partial<BillingConfig> = {}): BillingConfig {
  const entityId = `T${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  return {
    issuer: { ...LOCAL_ISSUER, entityId },
    invoiceSender: LOCAL_INVOICE_SENDER,
    invoiceBucketName: 'invoices-test',
    reviewWindowHours: 0,
    cutOffTime: DEFAULT_CUT_OFF_TIME,
    ...overrides,
  };
}

/**
 * The workflow's steps, in order, run in-process for the given accounts (the synthesized state machine
 * runs the same use cases; see the local-workflow tests). `failAt` stops the run after a step, like a crash.
 */
export async function runBillingSteps(
  deps: BillingDeps,
  request: {
    /** Absent: as the schedule starts it, the cut-off is the local date of the clock's now. */
    cutOff?: string;
    accountIds: readonly string[];
    runId?: string;
    stopAfter?: 'build' | 'number' | 'store';
  },
): Promise<{ runId: string; cutOff: string; invoices: Invoice[] }> {
  const runId = request.runId ?? `run_${request.cutOff ?? 'scheduled'}_${randomUUID().slice(0, 8)}`;
  const run = await startRun(
    deps,
    request.cutOff
      ? { trigger: 'api', cutOff: request.cutOff, runId }
      : { trigger: 'schedule', scheduledAt: deps.clock.now().toISOString(), runId },
  );
  const done = async () => ({
    runId: run.runId,
    cutOff: run.cutOff,
    invoices: await invoicesOf(deps, request.accountIds),
  });
  for (const accountId of request.accountIds) {
    await buildAccount(deps, { runId: run.runId, cutOff: run.cutOff, accountId });
  }
  if (request.stopAfter === 'build') return done();
  while ((await numberInvoices(deps, { runId: run.runId })).more) {
    // next batch
  }
  if (request.stopAfter === 'number') return done();
  const issued = (await invoicesOf(deps, request.accountIds)).filter(
    (invoice) => invoice.status === 'issued',
  );
  for (const invoice of issued) await storePdf(deps, invoiceRef(invoice));
  if (request.stopAfter === 'store') return done();
  for (const invoice of issued) await sendInvoiceEmail(deps, { runId: run.runId, ...invoiceRef(invoice) });
  await finishRun(deps, { runId: run.runId });
  return done();
}

/**
 * What ListToSend hands the delivery steps for an invoice: its id and where its item is (an invoice with a
 * purchase-order number is its PO's own invoice; the others share the no-PO group).
 */
export function invoiceRef(invoice: Invoice): InvoiceRef {
  const group = purchaseOrderKey(invoice, true);
  return {
    invoiceId: invoice.invoiceId,
    accountId: invoice.accountId,
    invoiceSk: keys.invoice(invoice.accountId, invoice.period.startDate, invoice.currency, group).SK,
  };
}

export async function invoicesOf(deps: BillingDeps, accountIds: readonly string[]): Promise<Invoice[]> {
  const all: Invoice[] = [];
  for (const accountId of accountIds) {
    all.push(...(await deps.invoices.listForAccount(accountId, { limit: 100 })).items.map(invoiceView));
  }
  return all;
}

/**
 * Invariant 3, checked from the table: the issuer's numbers for a year are exactly 1…last, each held by
 * one invoice (the counter and the number lookup items agree), with no gap.
 */
export async function assertGaplessNumbers(entityId: string, year: string): Promise<string[]> {
  const client = getDocumentClient();
  const table = process.env.TABLE_NAME as string;
  const counter = await client.send(
    new GetCommand({ TableName: table, Key: keys.invoiceCounter(entityId, year) }),
  );
  const last = (counter.Item?.last as number | undefined) ?? 0;
  const numbers: string[] = [];
  for (let n = 1; n <= last; n++) {
    const number = `${year}-${String(n).padStart(6, '0')}`;
    const lookup = await client.send(
      new GetCommand({ TableName: table, Key: keys.invoiceNumber(entityId, number) }),
    );
    if (!lookup.Item)
      throw new Error(`Gap in ${entityId} ${year}: ${number} was never issued (last is ${last})`);
    numbers.push(number);
  }
  return numbers;
}

/** Emails the SES emulator received since a moment, as its `/store` lists them. */
export async function mailboxSince(since: Date): Promise<MailboxEmail[]> {
  const endpoint = process.env.AWS_ENDPOINT_URL_SES as string;
  const response = await fetch(`${endpoint}/store?since=${Math.floor(since.getTime() / 1000) - 1}`);
  const body = (await response.json()) as { emails: MailboxEmail[] };
  return body.emails;
}

export interface MailboxEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  text?: string;
  html?: string;
  attachments: { filename: string; content: string; contentType: string }[];
}
