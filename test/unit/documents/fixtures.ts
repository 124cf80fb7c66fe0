import type { CreditNote } from '../../../shared/contracts/schemas/credit-note.js';
import type { Invoice } from '../../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../../shared/contracts/schemas/order.js';
import { computeTotals, vatMinor } from '../../../shared/core/domain/money.js';

/** A line as a storefront sends it. */
export interface LineInput {
  sku: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  vatRate: number;
  sellerId: string;
  /** The seller's legal name, as intake snapshots it (absent on orders placed before sellers were registered). */
  sellerName?: string;
}

const PERIOD = {
  cycle: 'monthly',
  timeZone: 'Europe/Paris',
  startDate: '2026-11-01',
  endDate: '2026-11-30',
  startsAt: '2026-10-31T23:00:00.000Z',
  endsAt: '2026-11-30T23:00:00.000Z',
} as const;

/** A stored order: line nets and totals computed by the domain, as order intake stores them. */
export function anOrder(index: number, lines: readonly LineInput[], overrides: Partial<Order> = {}): Order {
  const computed = computeTotals(lines);
  return {
    orderId: `ord_01JD3Z8Q4N5V2B7C9X${String(index).padStart(6, '0')}`,
    accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    storefrontId: 'sf_01JD3Z8Q4N5V2B7C9X0K1M2P3S',
    reference: `SHOP-${100200 + index}`,
    currency: 'EUR',
    status: 'accepted',
    receivedAt: '2026-11-14T09:30:00.000Z',
    billingPeriod: { ...PERIOD },
    lines: lines.map((line, position) => ({
      ...line,
      lineNumber: position + 1,
      netMinor: computed.lineNets[position] ?? 0,
    })),
    vatBreakdown: computed.vatBreakdown,
    totals: computed.totals,
    ...overrides,
  };
}

/**
 * Three orders with lines at 20 %, 5.5 % and 2.1 %. Expected, by hand: line nets 20.00, 99.60, 5.00 (1.5 ×
 * 3.33 = 4.995, half-up), 23.40, 33.30, 12 340.00, 13.80; bases 20 %: 12 393.30 (VAT 2 478.66), 5.5 %:
 * 104.60 (VAT 5.753 → 5.75), 2.1 %: 37.20 (VAT 0.7812 → 0.78); net 12 535.10, VAT 2 485.19, gross 15 020.29.
 */
export function threeOrders(): Order[] {
  return [
    anOrder(
      1,
      [
        {
          sku: 'APRON-BLUE',
          description: 'Tablier bleu',
          quantity: 2,
          unitPriceMinor: 1000,
          vatRate: 20,
          sellerId: 'seller-textiles-pro',
        },
        {
          sku: 'FLOUR-T65-25KG',
          description: 'Farine T65, sac de 25 kg',
          quantity: 4,
          unitPriceMinor: 2490,
          vatRate: 5.5,
          sellerId: 'seller-moulins-de-brie',
        },
      ],
      { purchaseOrderNumber: 'PO-7781', receivedAt: '2026-11-03T23:30:00.000Z' },
    ),
    anOrder(
      2,
      [
        {
          sku: 'YEAST-500G',
          description: 'Levure fraîche',
          quantity: 1.5,
          unitPriceMinor: 333,
          vatRate: 5.5,
          sellerId: 'seller-laiterie',
        },
        {
          sku: 'PRESS-52',
          description: 'Abonnement presse, 52 numéros',
          quantity: 3,
          unitPriceMinor: 780,
          vatRate: 2.1,
          sellerId: 'seller-kiosque',
        },
      ],
      {
        deliveryAddress: {
          line1: '8 place du Marché',
          postalCode: '77300',
          city: 'Fontainebleau',
          country: 'FR',
        },
      },
    ),
    anOrder(3, [
      {
        sku: 'GOLD-LEAF',
        description: 'Feuille d’or alimentaire, carnet',
        quantity: 0.333,
        unitPriceMinor: 10000,
        vatRate: 20,
        sellerId: 'seller-textiles-pro',
      },
      {
        sku: 'BOX-PASTRY-50',
        description: 'Boîtes à pâtisserie blanches 20 cm, lot de 50',
        quantity: 1000,
        unitPriceMinor: 1234,
        vatRate: 20,
        sellerId: 'seller-emballages',
      },
      {
        sku: 'PRESS-MAG',
        description: 'Magazine professionnel',
        quantity: 12,
        unitPriceMinor: 115,
        vatRate: 2.1,
        sellerId: 'seller-kiosque',
      },
    ]),
  ];
}

/** The orders one at a time, as a paginated query hands them over. */
export async function* streamOf(orders: Iterable<Order>): AsyncGenerator<Order> {
  for (const order of orders) yield order;
}

/** Counts, VAT breakdown and totals of an invoice over orders, the EN 16931 way (per rate, rounded once). */
export function invoiceFigures(orders: Iterable<Order>) {
  const bases = new Map<number, number>();
  let orderCount = 0;
  let lineCount = 0;
  let ordersGrossMinor = 0;
  for (const order of orders) {
    orderCount += 1;
    ordersGrossMinor += order.totals.grossMinor;
    for (const line of order.lines) {
      lineCount += 1;
      bases.set(line.vatRate, (bases.get(line.vatRate) ?? 0) + line.netMinor);
    }
  }
  const vatBreakdown = [...bases.entries()]
    .sort(([a], [b]) => b - a)
    .map(([vatRate, baseMinor]) => ({ vatRate, baseMinor, vatMinor: vatMinor(baseMinor, vatRate) }));
  const netMinor = vatBreakdown.reduce((sum, entry) => sum + entry.baseMinor, 0);
  const vat = vatBreakdown.reduce((sum, entry) => sum + entry.vatMinor, 0);
  return {
    orderCount,
    lineCount,
    vatBreakdown,
    totals: { netMinor, vatMinor: vat, grossMinor: netMinor + vat },
    amountDueMinor: netMinor + vat,
    ordersGrossMinor,
  };
}

/** An issued invoice over the given figures; everything else realistic and overridable. */
export function anInvoice(
  figures: ReturnType<typeof invoiceFigures>,
  overrides: Partial<Invoice> = {},
): Invoice {
  return {
    invoiceId: 'inv_01JD3Z8Q4N5V2B7C9X0K1M2P3T',
    accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    runId: 'run_2026-12-01',
    status: 'issued',
    number: '2026-000123',
    issueDate: '2026-12-01',
    dueDate: '2027-01-15',
    period: { startDate: '2026-11-01', endDate: '2026-11-30' },
    currency: 'EUR',
    purchaseOrderNumber: 'PO-2026-118',
    language: 'fr',
    supplyCategory: 'goods',
    paymentTerms: { type: 'net', days: 45 },
    issuer: {
      entityId: 'MKT',
      legalName: 'Marketplace SAS',
      legalForm: 'SAS',
      address: { line1: '12 rue des Halles', postalCode: '75001', city: 'Paris', country: 'FR' },
      siren: '912345675',
      vatId: 'FR65912345675',
      shareCapital: '100 000 EUR',
      rcs: 'Paris 912 345 675',
      email: 'facturation@marketplace.example',
      iban: 'FR7630006000011234567890189',
      bic: 'AGRIFRPPXXX',
      vatOnDebits: true,
    },
    latePenalty: { halfYear: '2026-H2', marginPoints: 10, ecbRatePercent: 2.15, ratePercent: 12.15 },
    buyer: {
      legalName: 'Boulangeries Martin SAS',
      legalForm: 'SAS',
      siren: '303265045',
      vatId: 'FR40303265045',
      billingAddress: { line1: '27 avenue Jean Jaurès', postalCode: '77000', city: 'Melun', country: 'FR' },
      billingEmails: ['compta@boulangeries-martin.example', 'direction@boulangeries-martin.example'],
    },
    ...figures,
    createdAt: '2026-12-01T00:05:00.000Z',
    issuedAt: '2026-12-01T00:06:00.000Z',
    ...overrides,
  };
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
        netMinor: 245,
      },
    ],
    vatBreakdown: [{ vatRate: 5.5, baseMinor: 5225, vatMinor: 287 }],
    totals: { netMinor: 5225, vatMinor: 287, grossMinor: 5512 },
    appliedMinor: 5512,
    issuedAt: '2026-12-10T09:00:00.000Z',
  };
}
