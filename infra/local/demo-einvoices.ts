/**
 * The e-invoicing part of `npm run demo`: the run's invoices go through the fake approved platform. The
 * billing run's own submission step (SubmitEInvoice) deposited each invoice whose account's channel
 * includes the platform; the demo only reads the flow id it recorded (`einvoice.submission.flowId` on
 * `GET /v1/invoices/{id}`), waits for the platform's signed webhook (deposited, made available), then plays
 * the buyer on the fake's control endpoint: it approves one, refuses another with a reason, and the
 * services invoice is paid in full: the poll sends its "Encaissée" (212). It writes nothing itself.
 */
import { randomUUID } from 'node:crypto';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { ApiClient } from './billing-client.js';

export interface DemoEInvoice {
  invoice: Invoice;
  /** What happened to it: approved, refused, paid (Encaissée), only deposited, or why it was not. */
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
  // Invoices for the platform that the run did not deposit (rejected, or the step still retrying).
  const undeposited: DemoEInvoice[] = [];
  for (const listed of invoices) {
    if (listed.status !== 'issued' && listed.status !== 'sent') continue;
    const invoice = (await read(api, listed.invoiceId)) ?? listed;
    const state = invoice.einvoice;
    if (!state || state.channel === 'email') continue;
    const flowId = state.submission?.flowId;
    if (flowId) deposited.push({ invoice, flowId });
    else
      undeposited.push({
        invoice,
        story: `not deposited by the run: submission ${state.submission?.state ?? 'absent'}`,
      });
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
  const results: DemoEInvoice[] = [...undeposited];
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
    results.push({
      invoice: now,
      story: `deposited by the run (flow ${invoice.einvoice?.submission?.flowId}), ${
        stories.get(invoice.invoiceId) ?? 'made available'
      }`,
    });
  }
  return results.sort((a, b) =>
    (a.invoice.number ?? a.invoice.invoiceId).localeCompare(b.invoice.number ?? b.invoice.invoiceId),
  );
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
