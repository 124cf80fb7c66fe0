/**
 * The e-invoicing part of `npm run demo`: the run's invoices go through the fake approved platform. Each
 * is deposited (by the billing run's submission step; an invoice that step did not submit — a build
 * without it — is deposited here the same way: its Factur-X PDF, its id as tracking id), the platform
 * answers deposited and made available through its signed webhook, then a buyer approves one, refuses
 * another with a reason, and the services invoice is paid in full: the poll sends its "Encaissée" (212).
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { invoiceKeyOf } from '../../shared/adapters/dynamo/entities/invoices.js';
import { InvoiceRepository } from '../../shared/adapters/dynamo/invoice-repository.js';
import { approvedPlatform, baseFor } from '../../shared/composition/root.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { ApiClient } from './billing-client.js';
import { LOCAL_NAMES } from './settings.js';

export interface DemoEInvoice {
  invoice: Invoice;
  /** What the demo did with it: approved, refused, paid (Encaissée), or only deposited. */
  story: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The invoice as the API shows it now. */
async function read(api: ApiClient, invoiceId: string): Promise<Invoice | undefined> {
  const answer = await api.request('GET', `/v1/invoices/${invoiceId}`);
  return answer.status === 200 ? (answer.body as Invoice) : undefined;
}

/** Waits (briefly) until the invoice's history holds `status`: the platform's webhook is asynchronous. */
async function untilStatus(api: ApiClient, invoiceId: string, status: string): Promise<Invoice | undefined> {
  let invoice = await read(api, invoiceId);
  for (let attempt = 0; attempt < 40; attempt++) {
    if (invoice?.einvoice?.history.some((entry) => entry.status === status)) return invoice;
    await sleep(250);
    invoice = await read(api, invoiceId);
  }
  return invoice;
}

/**
 * The flow of an invoice at the platform: the one the submission step recorded, or (a build without that
 * step) its Factur-X PDF deposited now, recorded on the invoice as the step does.
 */
async function flowOf(invoice: Invoice): Promise<string | undefined> {
  const submitted = invoice.einvoice?.submission?.flowId;
  if (submitted) return submitted;
  if (invoice.einvoice?.channel === 'email' || !invoice.pdf || !invoice.number) return undefined;
  const s3 = new S3Client({ forcePathStyle: true });
  let pdf: Uint8Array | undefined;
  try {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: LOCAL_NAMES.invoiceBucketName, Key: invoice.pdf.s3Key }),
    );
    pdf = await object.Body?.transformToByteArray();
  } finally {
    s3.destroy();
  }
  if (!pdf) return undefined;
  const base = baseFor();
  const record = await new InvoiceRepository(base.table).get(invoice.invoiceId);
  if (!record) return undefined;
  const key = invoiceKeyOf(record);
  // Claimed first, as the step does, so the platform's first webhook finds the invoice's state.
  await base.table.client.send(
    new UpdateCommand({
      TableName: base.table.tableName,
      Key: key,
      UpdateExpression: 'SET einvoice = :state',
      ConditionExpression: 'attribute_not_exists(einvoice.submission)',
      ExpressionAttributeValues: {
        ':state': { channel: 'platform', submission: { state: 'submitting', attempts: 1 }, history: [] },
      },
    }),
  );
  const flow = await approvedPlatform().submit({
    trackingId: invoice.invoiceId,
    syntax: 'Factur-X',
    fileName: `${invoice.number}.pdf`,
    document: pdf,
    sha256: createHash('sha256').update(pdf).digest('hex'),
  });
  await base.table.client.send(
    new UpdateCommand({
      TableName: base.table.tableName,
      Key: key,
      UpdateExpression: 'SET einvoice.submission = :submission',
      ExpressionAttributeValues: {
        ':submission': {
          state: 'submitted',
          attempts: 1,
          flowId: flow.flowId,
          submittedAt: flow.submittedAt,
        },
      },
    }),
  );
  return flow.flowId;
}

/** A buyer's move on the fake's control endpoint (what its page's buttons do). */
async function buyerSets(
  platformUrl: string,
  flowId: string,
  move: { code: string; reason?: string; reasonCode?: string },
): Promise<void> {
  const response = await fetch(`${platformUrl}/control/flows/${flowId}/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(move),
  });
  if (!response.ok) throw new Error(`the fake platform refused ${move.code}: ${await response.text()}`);
}

/** Runs the e-invoicing story on the run's issued invoices; answers what happened to each. */
export async function demoEInvoices(
  api: ApiClient,
  invoices: readonly Invoice[],
  platformUrl: string,
): Promise<DemoEInvoice[]> {
  const deposited: { invoice: Invoice; flowId: string }[] = [];
  for (const invoice of invoices) {
    if (invoice.status !== 'issued' && invoice.status !== 'sent') continue;
    const flowId = await flowOf(invoice);
    if (flowId) deposited.push({ invoice, flowId });
  }
  const stories = new Map<string, string>();
  const services = deposited.find(({ invoice }) => invoice.supplyCategory === 'services');
  const others = deposited.filter((entry) => entry !== services);
  const [approved, refused] = others;
  for (const { invoice } of deposited) await untilStatus(api, invoice.invoiceId, '203');
  if (approved) {
    await buyerSets(platformUrl, approved.flowId, { code: '205' });
    stories.set(approved.invoice.invoiceId, 'approved by the buyer');
  }
  if (refused) {
    await buyerSets(platformUrl, refused.flowId, {
      code: '210',
      reason: 'Bon de commande absent de la facture',
      reasonCode: 'REF_CT_ABSENT',
    });
    stories.set(refused.invoice.invoiceId, 'refused by the buyer, with its reason');
  }
  if (services) {
    const current = await read(api, services.invoice.invoiceId);
    const balance = current?.balanceMinor ?? services.invoice.amountDueMinor;
    if (balance > 0) {
      const answer = await api.request(
        'POST',
        '/v1/payments',
        {
          accountId: services.invoice.accountId,
          amountMinor: balance,
          currency: services.invoice.currency,
          receivedOn: new Date().toISOString().slice(0, 10),
          method: 'transfer',
          reference: `VIR DEMO ${services.invoice.number ?? ''}`.trim(),
          allocations: [{ invoiceId: services.invoice.invoiceId, amountMinor: balance }],
        },
        { 'idempotency-key': randomUUID() },
      );
      if (answer.status !== 201)
        throw new Error(`the demo payment was refused: ${JSON.stringify(answer.body)}`);
    }
    // The scheduled poll, run now: it sends the "Encaissée" the payment made due (its logs kept quiet).
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    const { handler } = await import('../../functions/platform-sync/handler.js');
    await handler({});
    stories.set(services.invoice.invoiceId, 'paid in full: "Encaissée" (212) sent to the platform once');
  }
  const results: DemoEInvoice[] = [];
  for (const { invoice } of deposited) {
    const expected =
      invoice.invoiceId === approved?.invoice.invoiceId
        ? '205'
        : invoice.invoiceId === refused?.invoice.invoiceId
          ? '210'
          : invoice.invoiceId === services?.invoice.invoiceId
            ? '212'
            : '203';
    const now = (await untilStatus(api, invoice.invoiceId, expected)) ?? invoice;
    results.push({ invoice: now, story: stories.get(invoice.invoiceId) ?? 'deposited, made available' });
  }
  return results;
}

/** Lines the demo prints for its e-invoices: each invoice's status now and its dated history. */
export function describeEInvoices(einvoices: readonly DemoEInvoice[]): string[] {
  const lines: string[] = [];
  for (const { invoice, story } of einvoices) {
    const state = invoice.einvoice;
    lines.push(
      `    ${invoice.number ?? invoice.invoiceId}  ${invoice.buyer.legalName}: ${story}; now ` +
        `${state?.status ?? '—'} ${state?.statusLabel ?? ''}`.trimEnd(),
    );
    for (const entry of state?.history ?? []) {
      const reason = entry.reasons[0] ? ` (${entry.reasons[0].text})` : '';
      lines.push(`        ${entry.at}  ${entry.status} ${entry.label}${reason}`);
    }
  }
  return lines;
}
