/**
 * A representative set of documents for the e-invoice tests: invoices at one and at several VAT rates, of
 * one purchase order (an account billed per PO), with zero-rated, exempt, reverse-charge and
 * intra-community lines, in French and in English, and credit notes for returned lines and for a
 * cancelled order. Each case gives what the renderers and the serialisers take.
 */
import type { CreditNote } from '../../shared/contracts/schemas/credit-note.js';
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import type { VatCategory } from '../../shared/core/domain/vat-categories.js';
import { aComputedCreditNote } from './credit-notes.js';
import { aBuyer, anInvoice, invoiceFigures } from './invoices.js';
import { anIssuer } from './issuer.js';
import { aStoredOrder, threeOrders } from './orders.js';
import { sampleInvoice, sampleOrder } from './sample-invoice.js';

export interface InvoiceCase {
  kind: 'invoice';
  name: string;
  invoice: Invoice;
  orders: Order[];
}

export interface CreditNoteCase {
  kind: 'credit-note';
  name: string;
  creditNote: CreditNote;
  invoice: Invoice;
}

/** The line's category by its SKU's prefix: `EXEMPT-`, `RC-`, `ZERO-`, `IC-`; the default otherwise. */
function categoryBySku(sku: string): VatCategory | undefined {
  if (sku.startsWith('EXEMPT-')) return 'E';
  if (sku.startsWith('RC-')) return 'AE';
  if (sku.startsWith('ZERO-')) return 'Z';
  if (sku.startsWith('IC-')) return 'K';
  return undefined;
}

/** The issuer's reason for exempt (E) lines: the invoices with E lines carry it, as intake requires. */
export const EXEMPT_TRAINING = {
  code: 'VATEX-FR-CGI261-4',
  reason: 'Exonération de TVA, article 261-4-4° du CGI',
} as const;

const storedLine = (
  sku: string,
  description: string,
  quantity: number,
  unitPriceMinor: number,
  vatRate: number,
) => ({
  sku,
  description,
  quantity,
  unitPriceMinor,
  vatRate,
  ...(categoryBySku(sku) ? { vatCategory: categoryBySku(sku) } : {}),
  sellerId: 'seller-1',
  sellerName: 'Les Moulins de Brie SARL',
});

function invoiceCase(name: string, orders: Order[], overrides: Partial<Invoice>) {
  const invoice = anInvoice(invoiceFigures(orders), { orderCount: orders.length, ...overrides });
  return { kind: 'invoice' as const, name, invoice, orders };
}

/** The representative set (every case also renders as a Factur-X PDF). */
export function representativeEInvoices(): Array<InvoiceCase | CreditNoteCase> {
  const oneRate = [
    aStoredOrder(1, [storedLine('APRON-BLUE', 'Tablier bleu', 2, 1500, 20)]),
    aStoredOrder(2, [storedLine('THERMO-PROBE', 'Sonde thermomètre', 1, 3990, 20)]),
  ];
  const several = Array.from({ length: 20 }, (_, index) => sampleOrder(index));
  const perPurchaseOrder = threeOrders().map((order) => ({ ...order, purchaseOrderNumber: 'PO-7781' }));

  const categoryOrders = [
    aStoredOrder(1, [
      storedLine('FLOUR-T65', 'Farine T65, sac de 25 kg', 4, 2490, 5.5),
      storedLine('EXEMPT-TRAINING', 'Formation hygiène alimentaire (organisme agréé)', 1, 45000, 0),
    ]),
    aStoredOrder(2, [
      storedLine('RC-OVEN-INSTALL', 'Pose d’un four, sous-traitance BTP', 1, 120000, 0),
      storedLine('ZERO-SAMPLE', 'Échantillons gratuits, valeur déclarée', 3, 150, 0),
    ]),
  ];
  const categoriesInvoice = anInvoice(invoiceFigures(categoryOrders), {
    supplyCategory: 'mixed',
    issuer: anIssuer({ vatExemptions: { E: EXEMPT_TRAINING } }),
  });

  const intraCommunityOrders = [
    aStoredOrder(1, [storedLine('IC-FLOUR-T65', 'Farine T65, sac de 25 kg', 40, 2490, 0)]),
    aStoredOrder(2, [storedLine('IC-BUTTER', 'Beurre AOP, plaque de 2 kg', 12.5, 3120, 0)]),
  ];
  const germanBuyer = aBuyer({
    legalName: 'Bäckerei Müller GmbH',
    legalForm: 'GmbH',
    siren: undefined,
    vatId: 'DE123456788',
    billingAddress: { line1: 'Hauptstraße 5', postalCode: '10115', city: 'Berlin', country: 'DE' },
    billingEmails: ['rechnungen@baeckerei-mueller.example'],
  });
  const intraCommunityInvoice = anInvoice(invoiceFigures(intraCommunityOrders), {
    language: 'en',
    buyer: germanBuyer,
    purchaseOrderNumber: undefined,
  });

  // Credit notes: a line returned in two halves, whose second half's net is a difference of rounded
  // cumulative nets (3 × 3.33 = 9.99 billed, 1.5 × 3.33 = 4.995 → 5.00 credited first, 4.99 left), with
  // a whole line of another order; and a whole order cancelled.
  const creditOrders = [
    aStoredOrder(1, [
      storedLine('YEAST-500G', 'Levure fraîche, 500 g', 3, 333, 5.5),
      storedLine('APRON-BLUE', 'Tablier bleu', 2, 1500, 20),
    ]),
    aStoredOrder(2, [storedLine('FLOUR-T65', 'Farine T65, sac de 25 kg', 4, 2490, 5.5)]),
    aStoredOrder(3, [
      storedLine('BOX-PASTRY-50', 'Boîtes à pâtisserie, lot de 50', 10, 1890, 20),
      storedLine('PRESS-LOCAL-52', 'Abonnement presse locale', 1, 7800, 2.1),
    ]),
  ];
  const [yeastOrder, flourOrder, cancelledOrder] = creditOrders as [Order, Order, Order];
  const creditedInvoice = anInvoice(invoiceFigures(creditOrders));
  const firstHalf = aComputedCreditNote(
    creditedInvoice,
    [{ order: yeastOrder, lineNumber: 1, quantity: 1.5 }],
    {
      number: 'AV-2026-000011',
      reason: 'Retour marchandise (première moitié)',
    },
  );
  const returned = aComputedCreditNote(
    creditedInvoice,
    [
      { order: yeastOrder, lineNumber: 1, quantity: 1.5 },
      { order: flourOrder, lineNumber: 1, quantity: 1 },
    ],
    { number: 'AV-2026-000012', reason: 'Retour marchandise : sacs abîmés', earlier: [firstHalf] },
  );
  const cancelled = aComputedCreditNote(
    creditedInvoice,
    cancelledOrder.lines.map((line) => ({
      order: cancelledOrder,
      lineNumber: line.lineNumber,
      quantity: line.quantity,
    })),
    { number: 'AV-2026-000013', reason: 'Annulation de la commande' },
  );

  return [
    invoiceCase('invoice-one-rate', oneRate, { supplyCategory: 'goods', purchaseOrderNumber: undefined }),
    {
      kind: 'invoice',
      name: 'invoice-several-rates',
      invoice: sampleInvoice(),
      orders: several,
    },
    invoiceCase('invoice-po-split', perPurchaseOrder, {
      purchaseOrderNumber: 'PO-7781',
      supplyCategory: 'goods',
    }),
    {
      kind: 'invoice',
      name: 'invoice-categories',
      invoice: categoriesInvoice,
      orders: categoryOrders,
    },
    {
      kind: 'invoice',
      name: 'invoice-intra-community',
      invoice: intraCommunityInvoice,
      orders: intraCommunityOrders,
    },
    {
      kind: 'invoice',
      name: 'invoice-english',
      invoice: sampleInvoice({ language: 'en' }),
      orders: several,
    },
    {
      kind: 'credit-note',
      name: 'credit-note-returned-lines',
      creditNote: returned,
      invoice: creditedInvoice,
    },
    {
      kind: 'credit-note',
      name: 'credit-note-cancelled-order',
      creditNote: cancelled,
      invoice: creditedInvoice,
    },
  ];
}
