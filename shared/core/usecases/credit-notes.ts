import { ulid } from 'ulid';
import type {
  CreditNote,
  CreditNoteLine,
  IssueCreditNoteInput,
} from '../../contracts/schemas/credit-note.js';
import type { Order } from '../../contracts/schemas/order.js';
import { requestFingerprint } from '../domain/canonical-json.js';
import { creditNoteFigures, type LineToCredit } from '../domain/credit.js';
import { channelIncludesEmail, einvoiceOf, initialEInvoiceState } from '../domain/einvoice-channel.js';
import { type AttemptOutcome, idempotencyRecord, runIdempotent } from '../domain/idempotency.js';
import { NO_PURCHASE_ORDER, purchaseOrderKey } from '../domain/invoice-builder.js';
import type { InvoiceRecord } from '../domain/invoices.js';
import { quantityToThousandths } from '../domain/money.js';
import { balanceOf } from '../domain/payment-status.js';
import { localDate } from '../domain/periods.js';
import { conflict, type FieldError, notFound, refused } from '../errors.js';
import type { AccountStore } from '../ports/accounts.js';
import type { Clock } from '../ports/clock.js';
import type { CreditedQuantities, CreditNoteStore } from '../ports/credit-notes.js';
import type { InvoiceReader } from '../ports/invoices.js';
import type { OrderStore } from '../ports/orders.js';

/** Attempts when the counter, the invoice's balance or its credited quantities moved under a credit note. */
const MAX_ATTEMPTS = 12;

export interface CreditNoteDeps {
  accounts: Pick<AccountStore, 'get'>;
  invoices: Pick<InvoiceReader, 'get'>;
  creditNotes: CreditNoteStore;
  orders: Pick<OrderStore, 'get'>;
  clock: Clock;
  /** The issuer's time zone: the credit note's issue date and numbering year. */
  timeZone: string;
}

export interface IssueCreditNoteResult {
  status: number;
  creditNote: CreditNote;
  replayed: boolean;
}

/** `AV-2026-000001`: per issuer and calendar year, gapless, in issue order. */
export function formatCreditNoteNumber(year: string, sequence: number): string {
  return `AV-${year}-${String(sequence).padStart(6, '0')}`;
}

/**
 * Issues a credit note against an issued invoice, exactly once per idempotency key (the one idempotent
 * command, runIdempotent): some lines of a billed order returned, or a whole billed order cancelled. The credit is applied to the invoice it
 * corrects: its gross comes off the invoice's balance and the account's exposure. A credit larger than
 * what is left to pay on the invoice is refused (`credit_exceeds_balance`): the product keeps no account
 * credit balance; the operator reverses the payment first or refunds outside the product.
 */
export async function issueCreditNote(
  deps: CreditNoteDeps,
  request: { invoiceId: string; idempotencyKey: string; input: IssueCreditNoteInput },
): Promise<IssueCreditNoteResult> {
  const { input, idempotencyKey, invoiceId } = request;
  const requestHash = requestFingerprint({ invoiceId, ...input });
  const attempt = async (): Promise<AttemptOutcome<CreditNote>> => {
    const { invoice, lines, toCredit, earlier, credited, account } = await prepare(deps, invoiceId, input);
    const now = deps.clock.now();
    const issueDate = localDate(now, deps.timeZone);
    const year = issueDate.slice(0, 4);
    const entityId = invoice.issuer.entityId;
    const last = await deps.creditNotes.lastNumber(entityId, year);
    // Differences of cumulative figures: the invoice's credit notes add up to it exactly (invariant 11).
    const computed = creditNoteFigures({
      invoiceVatBreakdown: invoice.vatBreakdown,
      earlier: earlier.map((note) => ({
        lines: note.lines.map((line) => ({ key: lineKey(line), netMinor: line.netMinor })),
        vatBreakdown: note.vatBreakdown,
      })),
      lines: toCredit,
    });
    // The invoice's channel, copied: a credit note travels the way the invoice it corrects did.
    const channel = einvoiceOf(invoice).channel;
    const creditNote: CreditNote = {
      creditNoteId: `cn_${ulid(now.getTime())}`,
      number: formatCreditNoteNumber(year, last + 1),
      accountId: invoice.accountId,
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.number ?? '',
      invoiceIssueDate: invoice.issueDate ?? '',
      issueDate,
      reason: input.reason,
      currency: invoice.currency,
      lines: lines.map((line, index) => ({ ...line, netMinor: computed.lineNets[index] ?? 0 })),
      vatBreakdown: computed.vatBreakdown,
      totals: computed.totals,
      appliedMinor: computed.totals.grossMinor,
      issuedAt: now.toISOString(),
      einvoice: initialEInvoiceState(channel),
      // Delivered right after issue (credit-note-delivery): PDF stored, submitted to the approved platform
      // and/or emailed, each at most once.
      ...(channelIncludesEmail(channel)
        ? { email: { status: 'ready' as const, recipients: invoice.buyer.billingEmails } }
        : {}),
    };
    const balance = balanceOf(invoice);
    if (creditNote.appliedMinor > balance) {
      throw refused(
        'credit_exceeds_balance',
        `Invoice ${invoice.number} has ${balance} left to pay; a credit note of ${creditNote.appliedMinor} would exceed it. Reverse the payment first, or refund outside this product.`,
        [{ field: 'lines', reason: `must credit at most the invoice's balance (${balance})` }],
        { balanceMinor: balance, creditMinor: creditNote.appliedMinor },
      );
    }
    const outcome = await deps.creditNotes.issue({
      creditNote,
      invoice,
      counter: { entityId, year, last },
      credited,
      idempotency: { key: idempotencyKey, record: idempotencyRecord(requestHash, 201, creditNote, now) },
      account,
    });
    switch (outcome.kind) {
      case 'issued':
        return { kind: 'written', status: 201, body: creditNote };
      case 'stale':
      case 'conflict':
        // Another credit note took the number, or a payment moved the balance: read again.
        return { kind: 'contended' };
      default:
        return outcome;
    }
  };
  const result = await runIdempotent<CreditNote>(
    {
      what: 'credit note',
      requestHash,
      findRecord: () => deps.creditNotes.findIdempotencyRecord(idempotencyKey),
      now: () => deps.clock.now(),
      maxAttempts: MAX_ATTEMPTS,
      busy: () =>
        conflict(
          'invoice_busy',
          'Too many changes on this invoice at the same moment; retry with the same Idempotency-Key.',
        ),
    },
    attempt,
  );
  return { status: result.status, creditNote: result.body, replayed: result.replayed };
}

/** Reads the invoice, its orders and what was credited already; validates and returns the lines to credit. */
async function prepare(deps: CreditNoteDeps, invoiceId: string, input: IssueCreditNoteInput) {
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice) throw notFound('invoice', invoiceId);
  if (invoice.status !== 'issued' && invoice.status !== 'sent') {
    throw refused(
      'invoice_not_issued',
      `Invoice ${invoiceId} is a ${invoice.status} draft; nothing to credit.`,
      [{ field: 'invoiceId', reason: 'is not issued yet' }],
    );
  }
  const account = await deps.accounts.get(invoice.accountId, { consistent: true });
  if (!account) throw notFound('account', invoice.accountId);
  // The credited quantities first, then the earlier credit notes: a note issued in between moves the
  // quantities' version, on which this one's write is conditioned, so figures never miss a note.
  const creditedRead = await deps.creditNotes.credited(invoiceId);
  const earlier = await deps.creditNotes.issuedForInvoice(invoiceId);
  const credited: CreditedQuantities = {
    credited: { ...creditedRead.credited },
    ...(creditedRead.version === undefined ? {} : { version: creditedRead.version }),
  };
  const requested: { orderId: string; lineNumber?: number; quantity?: number; field: string }[] = input.lines
    ? input.lines.map((line, index) => ({ ...line, field: `lines.${index}` }))
    : [{ orderId: input.orderId as string, field: 'orderId' }];
  const orders = new Map<string, Order>();
  const lines: Omit<CreditNoteLine, 'netMinor'>[] = [];
  const toCredit: LineToCredit[] = [];
  for (const wanted of requested) {
    let order = orders.get(wanted.orderId);
    if (!order) {
      order = await deps.orders.get(wanted.orderId);
      if (!order || !onInvoice(order, invoice)) {
        throw refused('order_not_on_invoice', `Order ${wanted.orderId} is not on invoice ${invoiceId}.`, [
          {
            field: wanted.field === 'orderId' ? 'orderId' : `${wanted.field}.orderId`,
            reason: 'is not an order of this invoice',
          },
        ]);
      }
      orders.set(wanted.orderId, order);
    }
    const orderLines =
      wanted.lineNumber === undefined
        ? order.lines
        : order.lines.filter((line) => line.lineNumber === wanted.lineNumber);
    if (orderLines.length === 0) {
      throw refused('line_not_found', `Order ${wanted.orderId} has no line ${wanted.lineNumber}.`, [
        { field: `${wanted.field}.lineNumber`, reason: 'is not a line of this order' },
      ]);
    }
    for (const line of orderLines) {
      const key = lineKey({ orderId: order.orderId, lineNumber: line.lineNumber });
      const already = credited.credited[key] ?? 0;
      const billed = quantityToThousandths(line.quantity);
      const left = billed - already;
      const quantity = wanted.quantity ?? left / 1000;
      const asked = quantityToThousandths(quantity);
      if (wanted.quantity === undefined && left <= 0) continue; // a cancelled order: lines already credited
      if (asked > left) {
        const errors: FieldError[] = [
          {
            field: wanted.quantity === undefined ? 'orderId' : `${wanted.field}.quantity`,
            reason: `must be at most what is left to credit on this line (${left / 1000})`,
          },
        ];
        throw refused(
          'over_credit',
          `Line ${line.lineNumber} of order ${order.orderId} has ${left / 1000} left to credit.`,
          errors,
          {
            leftToCredit: left / 1000,
          },
        );
      }
      credited.credited[key] = already + asked;
      toCredit.push({
        key,
        unitPriceMinor: line.unitPriceMinor,
        vatRate: line.vatRate,
        vatCategory: line.vatCategory,
        billedNetMinor: line.netMinor,
        billedThousandths: billed,
        creditedAfterThousandths: already + asked,
      });
      lines.push({
        orderId: order.orderId,
        // The order as the invoice prints it: the storefront's reference and the order's local date.
        orderReference: order.reference,
        orderDate: localDate(order.receivedAt, order.billingPeriod.timeZone),
        lineNumber: line.lineNumber,
        sku: line.sku,
        description: line.description,
        quantity,
        unitPriceMinor: line.unitPriceMinor,
        vatRate: line.vatRate,
        vatCategory: line.vatCategory,
        ...(line.unitCode ? { unitCode: line.unitCode } : {}),
      });
    }
  }
  if (lines.length === 0) {
    throw refused('nothing_to_credit', 'Every line asked for is already fully credited.', [
      { field: input.lines ? 'lines' : 'orderId', reason: 'has nothing left to credit' },
    ]);
  }
  return { invoice, lines, toCredit, earlier, credited, account };
}

/** A credited line's key, as in the invoice's credited quantities: `<orderId>#<lineNumber>`. */
function lineKey(line: Pick<CreditNoteLine, 'orderId' | 'lineNumber'>): string {
  return `${line.orderId}#${line.lineNumber}`;
}

/** Whether an order was billed on this invoice (same account, currency, period range and PO group). */
function onInvoice(order: Order, invoice: InvoiceRecord): boolean {
  const sk = `ORDER#${order.billingPeriod.startDate}`;
  return (
    order.accountId === invoice.accountId &&
    order.status !== 'cancelled' &&
    order.currency === invoice.currency &&
    sk >= `ORDER#${invoice.orderRange.from}` &&
    sk < `ORDER#${invoice.orderRange.to}` &&
    (invoice.purchaseOrderKey === NO_PURCHASE_ORDER ||
      purchaseOrderKey(order, true) === invoice.purchaseOrderKey)
  );
}

export async function getCreditNote(deps: CreditNoteDeps, creditNoteId: string): Promise<CreditNote> {
  const creditNote = await deps.creditNotes.get(creditNoteId);
  if (!creditNote) throw notFound('credit_note', creditNoteId);
  return creditNote;
}

export async function listInvoiceCreditNotes(
  deps: CreditNoteDeps,
  invoiceId: string,
): Promise<{ items: CreditNote[] }> {
  const invoice = await deps.invoices.get(invoiceId);
  if (!invoice) throw notFound('invoice', invoiceId);
  // Each credit note as it is now (its PDF and email state), not the copy written at issue.
  return { items: await deps.creditNotes.listForInvoice(invoiceId) };
}
