/**
 * Credit notes: `POST /v1/invoices/{invoiceId}/credit-notes` bodies (a return of lines, a cancelled order)
 * and an issued credit note for documents.
 */
import type { CreditNote, IssueCreditNoteInput } from '../../shared/contracts/schemas/credit-note.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import { creditNoteFigures } from '../../shared/core/domain/credit.js';
import { quantityToThousandths, VatGroups, vatMinor } from '../../shared/core/domain/money.js';

/** Lines returned: the quantity credited on each line of a billed order. */
export type ReturnedLine = NonNullable<IssueCreditNoteInput['lines']>[number];

/** A credit note for returned lines: `{orderId, lineNumber, quantity}` each. */
export function aReturn(lines: ReturnedLine[], reason = 'Retour'): IssueCreditNoteInput {
  return { reason, lines };
}

/** A credit note cancelling a whole billed order: every line of it credited. */
export function aCancellation(orderId: string, reason = 'Annulation'): IssueCreditNoteInput {
  return { reason, orderId, cancelOrder: true };
}

/** A credit note of two returned lines (two orders) against an invoice numbered 2026-000123. */
export function aCreditNote(invoice: Pick<Invoice, 'accountId' | 'invoiceId'>): CreditNote {
  return {
    creditNoteId: 'cn_01JD3Z8Q4N5V2B7C9X0K1M2P3T',
    number: 'AV-2026-000007',
    accountId: invoice.accountId,
    invoiceId: invoice.invoiceId,
    invoiceNumber: '2026-000123',
    invoiceIssueDate: '2026-12-01',
    issueDate: '2026-12-10',
    reason: 'Retour marchandise : deux sacs abîmés',
    currency: 'EUR',
    lines: [
      {
        orderId: 'ord_01JD3Z8Q4N5V2B7C9X0K1M2P3A',
        orderReference: 'SHOP-100234',
        orderDate: '2026-11-04',
        lineNumber: 1,
        sku: 'FLOUR-T65-25KG',
        description: 'Farine de blé T65, sac de 25 kg',
        quantity: 2,
        unitPriceMinor: 2490,
        vatRate: 5.5,
        vatCategory: 'S',
        netMinor: 4980,
      },
      {
        orderId: 'ord_01JD3Z8Q4N5V2B7C9X0K1M2P3B',
        orderReference: 'SHOP-100240',
        orderDate: '2026-11-14',
        lineNumber: 2,
        sku: 'YEAST-500G',
        description: 'Levure fraîche, 500 g',
        quantity: 1,
        unitPriceMinor: 245,
        vatRate: 5.5,
        vatCategory: 'S',
        netMinor: 245,
      },
    ],
    vatBreakdown: [{ category: 'S', vatRate: 5.5, baseMinor: 5225, vatMinor: 287 }],
    totals: { netMinor: 5225, vatMinor: 287, grossMinor: 5512 },
    appliedMinor: 5512,
    issuedAt: '2026-12-10T09:00:00.000Z',
  };
}

/**
 * `creditNote` with other lines and the figures those lines make (VAT per rate rounded once, totals, the
 * amount applied): a credit note whose lines and totals agree, as every issued one does (its embedded
 * e-invoice is checked against them).
 */
export function withLines(creditNote: CreditNote, lines: CreditNote['lines']): CreditNote {
  const bases = new VatGroups();
  for (const line of lines) bases.add(line.vatCategory, line.vatRate, BigInt(line.netMinor));
  const vatBreakdown = bases.sorted().map(({ category, vatRate, base }) => ({
    category,
    vatRate,
    baseMinor: Number(base),
    vatMinor: vatMinor(Number(base), vatRate),
  }));
  const netMinor = vatBreakdown.reduce((sum, entry) => sum + entry.baseMinor, 0);
  const vat = vatBreakdown.reduce((sum, entry) => sum + entry.vatMinor, 0);
  return {
    ...creditNote,
    lines,
    vatBreakdown,
    totals: { netMinor, vatMinor: vat, grossMinor: netMinor + vat },
    appliedMinor: netMinor + vat,
  };
}

/** What a credit note credits on an invoice: a quantity of a line of one of its orders. */
export interface CreditedQuantity {
  order: Order;
  lineNumber: number;
  /** Quantity credited by this note. */
  quantity: number;
}

/**
 * A credit note against `invoice` as the product issues it: its figures computed by the domain from the
 * quantities credited (differences of cumulative figures, `creditNoteFigures`), given the credit notes
 * issued before it on the same invoice.
 */
export function aComputedCreditNote(
  invoice: Invoice,
  credited: readonly CreditedQuantity[],
  options: { number: string; reason: string; earlier?: readonly CreditNote[] },
): CreditNote {
  const earlier = options.earlier ?? [];
  const creditedBefore = new Map<string, number>();
  for (const note of earlier) {
    for (const line of note.lines) {
      const key = `${line.orderId}#${line.lineNumber}`;
      creditedBefore.set(key, (creditedBefore.get(key) ?? 0) + quantityToThousandths(line.quantity));
    }
  }
  const orderLines = credited.map(({ order, lineNumber, quantity }) => {
    const line = order.lines.find((candidate) => candidate.lineNumber === lineNumber);
    if (!line) throw new RangeError(`order ${order.orderId} has no line ${lineNumber}`);
    return { order, line, quantity };
  });
  const figures = creditNoteFigures({
    invoiceVatBreakdown: invoice.vatBreakdown,
    earlier: earlier.map((note) => ({
      lines: note.lines.map((line) => ({
        key: `${line.orderId}#${line.lineNumber}`,
        netMinor: line.netMinor,
      })),
      vatBreakdown: note.vatBreakdown,
    })),
    lines: orderLines.map(({ order, line, quantity }) => {
      const key = `${order.orderId}#${line.lineNumber}`;
      return {
        key,
        unitPriceMinor: line.unitPriceMinor,
        vatRate: line.vatRate,
        vatCategory: line.vatCategory,
        billedNetMinor: line.netMinor,
        billedThousandths: quantityToThousandths(line.quantity),
        creditedAfterThousandths: (creditedBefore.get(key) ?? 0) + quantityToThousandths(quantity),
      };
    }),
  });
  return {
    creditNoteId: `cn_01JD3Z8Q4N5V2B7C9X${options.number.replace(/\D/g, '').slice(-6).padStart(6, '0')}`,
    number: options.number,
    accountId: invoice.accountId,
    invoiceId: invoice.invoiceId,
    invoiceNumber: invoice.number ?? '',
    invoiceIssueDate: invoice.issueDate ?? '',
    issueDate: '2026-12-10',
    reason: options.reason,
    currency: invoice.currency,
    lines: orderLines.map(({ order, line, quantity }, index) => ({
      orderId: order.orderId,
      orderReference: order.reference,
      orderDate: order.receivedAt.slice(0, 10),
      lineNumber: line.lineNumber,
      sku: line.sku,
      description: line.description,
      quantity,
      unitPriceMinor: line.unitPriceMinor,
      vatRate: line.vatRate,
      vatCategory: line.vatCategory,
      ...(line.unitCode ? { unitCode: line.unitCode } : {}),
      netMinor: figures.lineNets[index] ?? 0,
    })),
    vatBreakdown: figures.vatBreakdown,
    totals: figures.totals,
    appliedMinor: figures.totals.grossMinor,
    issuedAt: '2026-12-10T09:00:00.000Z',
  };
}
