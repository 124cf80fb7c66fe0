/**
 * A sample invoice from made-up but realistic data, to see what buyers receive and to benchmark the
 * renderer. Regenerate the picture in the docs with:
 *
 *   npx tsx shared/documents/sample.ts /tmp/sample-invoice.pdf fr \
 *     && pdftoppm -png -r 110 -f 1 -l 1 -singlefile /tmp/sample-invoice.pdf docs/sample-invoice
 *
 * Arguments: output path (default `sample-invoice.pdf`), language `fr` | `en` (default fr), order count
 * (default 20, about 60 lines). `pdftoppm` comes with poppler-utils.
 *
 * `sampleInvoice` and `sampleOrders` are exported for benchmarks: the orders are generated one at a time
 * from their index, so even 10,000 of them are never held in memory together.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { Invoice } from '../contracts/schemas/invoice.js';
import type { Order } from '../contracts/schemas/order.js';
import { computeTotals, vatMinor } from '../core/domain/money.js';
import { renderInvoicePdf } from './pdf/invoice.js';
import type { Language } from './texts/format.js';

export interface SampleOptions {
  language?: Language;
  /** Number of orders (default 20). */
  orders?: number;
  /**
   * Index of the first order (default 0): invoices over different ranges have different order ids,
   * references, dates, quantities and amounts, as different buyers' invoices do.
   */
  firstOrder?: number;
}

const CATALOGUE = [
  {
    sku: 'FLOUR-T65-25KG',
    description: 'Farine de blé T65, sac de 25 kg',
    unit: 2490,
    vat: 5.5,
    seller: 'moulins-de-brie',
  },
  {
    sku: 'FLOUR-T80-10KG',
    description: 'Farine bise T80 biologique, sac de 10 kg',
    unit: 1875,
    vat: 5.5,
    seller: 'moulins-de-brie',
  },
  {
    sku: 'BUTTER-AOP-2KG',
    description: 'Beurre doux AOP Charentes-Poitou, plaque de 2 kg',
    unit: 3120,
    vat: 5.5,
    seller: 'laiterie-du-marais',
  },
  {
    sku: 'YEAST-500G',
    description: 'Levure boulangère fraîche, pain de 500 g',
    unit: 295,
    vat: 5.5,
    seller: 'laiterie-du-marais',
  },
  {
    sku: 'APRON-BLUE',
    description: 'Tablier de boulanger en coton, bleu marine',
    unit: 1500,
    vat: 20,
    seller: 'textiles-pro',
  },
  {
    sku: 'BAG-KRAFT-1000',
    description: 'Sacs à pain kraft 12 × 35 cm, carton de 1\u00a0000',
    unit: 4290,
    vat: 20,
    seller: 'emballages-leroux',
  },
  {
    sku: 'BOX-PASTRY-50',
    description: 'Boîtes à pâtisserie blanches 20 cm, lot de 50',
    unit: 1890,
    vat: 20,
    seller: 'emballages-leroux',
  },
  {
    sku: 'PRESS-LOCAL-52',
    description: 'Abonnement presse locale, 52 numéros (boutique)',
    unit: 7800,
    vat: 2.1,
    seller: 'kiosque-services',
  },
  {
    sku: 'SALT-GUERANDE-5KG',
    description: 'Sel de Guérande IGP, seau de 5 kg',
    unit: 1265,
    vat: 5.5,
    seller: 'salines-atlantique',
  },
  {
    sku: 'THERMO-PROBE',
    description: 'Sonde thermomètre à cœur, étanche, étalonnée',
    unit: 3990,
    vat: 20,
    seller: 'equip-fournil',
  },
] as const;

/** The catalogue's sellers as registered (`POST /v1/sellers`): the legal names the invoice prints. */
export const SAMPLE_SELLERS: Readonly<Record<string, string>> = {
  'seller-moulins-de-brie': 'Les Moulins de Brie SARL',
  'seller-laiterie-du-marais': 'Laiterie du Marais SCA',
  'seller-textiles-pro': 'Textiles Pro SAS',
  'seller-emballages-leroux': 'Emballages Leroux et Fils SARL',
  'seller-kiosque-services': 'Kiosque Services SAS',
  'seller-salines-atlantique': "Salines de l'Atlantique SA",
  'seller-equip-fournil': 'Équipements du Fournil SARL',
};

const QUANTITIES = [1, 2, 4, 10, 2.5, 12, 0.75, 6, 3, 24];

/** The id of the nth sample order: a valid ULID-shaped id derived from the index. */
function sampleOrderId(index: number): string {
  return `ord_01JD3Z8Q4N5V2B7C9X${String(index).padStart(6, '0')}`;
}

/** The nth order: 1 to 5 lines cycling through the catalogue, received during November 2026 (Paris). */
export function sampleOrder(index: number): Order {
  const lineCount = 1 + ((index * 7) % 5);
  const lines = Array.from({ length: lineCount }, (_, position) => {
    const item = CATALOGUE[(index * 3 + position * 7) % CATALOGUE.length] ?? CATALOGUE[0];
    const quantity = QUANTITIES[(index + position * 3) % QUANTITIES.length] ?? 1;
    return {
      lineNumber: position + 1,
      sku: item.sku,
      description: item.description,
      quantity,
      unitPriceMinor: item.unit,
      vatRate: item.vat,
      sellerId: `seller-${item.seller}`,
      sellerName: SAMPLE_SELLERS[`seller-${item.seller}`] as string,
      netMinor: 0,
    };
  });
  const computed = computeTotals(lines);
  lines.forEach((line, position) => {
    line.netMinor = computed.lineNets[position] ?? 0;
  });
  const day = 1 + (index % 30);
  const received = new Date(Date.UTC(2026, 10, day, 7 + (index % 12), (index * 13) % 60));
  return {
    orderId: sampleOrderId(index),
    accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    storefrontId: 'sf_01JD3Z8Q4N5V2B7C9X0K1M2P3S',
    reference: `SHOP-${100200 + index}`,
    ...(index % 6 === 4 ? { purchaseOrderNumber: `PO-${7700 + index}` } : {}),
    ...(index % 9 === 5
      ? {
          deliveryAddress: {
            line1: '8 place du Marché',
            postalCode: '77300',
            city: 'Fontainebleau',
            country: 'FR',
          },
        }
      : {}),
    currency: 'EUR',
    status: 'billed',
    receivedAt: received.toISOString(),
    billingPeriod: {
      cycle: 'monthly',
      timeZone: 'Europe/Paris',
      startDate: '2026-11-01',
      endDate: '2026-11-30',
      startsAt: '2026-10-31T23:00:00.000Z',
      endsAt: '2026-11-30T23:00:00.000Z',
    },
    lines,
    vatBreakdown: computed.vatBreakdown,
    totals: computed.totals,
  };
}

/** The sample orders, generated one at a time (what a paginated DynamoDB query hands over). */
export async function* sampleOrders(options: SampleOptions = {}): AsyncGenerator<Order> {
  const first = options.firstOrder ?? 0;
  const count = options.orders ?? 20;
  for (let index = first; index < first + count; index += 1) yield sampleOrder(index);
}

/** The sample invoice over `sampleOrders` with the same options: totals per rate from the line nets. */
export function sampleInvoice(options: SampleOptions = {}): Invoice {
  const first = options.firstOrder ?? 0;
  const count = options.orders ?? 20;
  const bases = new Map<number, number>();
  let lineCount = 0;
  let ordersGrossMinor = 0;
  for (let index = first; index < first + count; index += 1) {
    const order = sampleOrder(index);
    lineCount += order.lines.length;
    ordersGrossMinor += order.totals.grossMinor;
    for (const line of order.lines) bases.set(line.vatRate, (bases.get(line.vatRate) ?? 0) + line.netMinor);
  }
  const vatBreakdown = [...bases.entries()]
    .sort(([a], [b]) => b - a)
    .map(([vatRate, baseMinor]) => ({ vatRate, baseMinor, vatMinor: vatMinor(baseMinor, vatRate) }));
  const netMinor = vatBreakdown.reduce((sum, entry) => sum + entry.baseMinor, 0);
  const vatTotal = vatBreakdown.reduce((sum, entry) => sum + entry.vatMinor, 0);
  return {
    invoiceId: 'inv_01JD3Z8Q4N5V2B7C9X0K1M2P3T',
    accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    runId: 'run_2026-11-30',
    status: 'issued',
    number: `2026-${String(123 + Math.floor(first / Math.max(count, 1))).padStart(6, '0')}`,
    issueDate: '2026-11-30',
    dueDate: '2026-12-30',
    period: { startDate: '2026-11-01', endDate: '2026-11-30' },
    currency: 'EUR',
    purchaseOrderNumber: 'PO-2026-118',
    language: options.language ?? 'fr',
    supplyCategory: 'mixed',
    paymentTerms: { type: 'net', days: 30 },
    issuer: {
      entityId: 'MKT',
      legalName: 'Halles Connect SAS',
      legalForm: 'SAS',
      address: { line1: '12 rue des Halles', postalCode: '75001', city: 'Paris', country: 'FR' },
      siren: '912345675',
      vatId: 'FR65912345675',
      shareCapital: '150 000 EUR',
      rcs: 'RCS Paris 912 345 675',
      email: 'facturation@halles-connect.example',
      iban: 'FR7630006000011234567890189',
      bic: 'AGRIFRPPXXX',
      vatOnDebits: true,
    },
    latePenalty: { halfYear: '2026-H2', marginPoints: 10, ecbRatePercent: 2.15, ratePercent: 12.15 },
    buyer: {
      legalName: 'Boulangeries Martin & Fils',
      legalForm: 'SARL',
      siren: '732829320',
      vatId: 'FR44732829320',
      billingAddress: {
        line1: '27 avenue Jean Jaurès',
        line2: 'Bâtiment B, 2e étage',
        postalCode: '77000',
        city: 'Melun',
        country: 'FR',
      },
      deliveryAddress: {
        line1: 'Zone artisanale des Prés',
        postalCode: '77190',
        city: 'Dammarie-lès-Lys',
        country: 'FR',
      },
      billingEmails: ['compta@boulangeries-martin.example', 'direction@boulangeries-martin.example'],
    },
    orderCount: count,
    lineCount,
    vatBreakdown,
    totals: { netMinor, vatMinor: vatTotal, grossMinor: netMinor + vatTotal },
    amountDueMinor: netMinor + vatTotal,
    ordersGrossMinor,
    createdAt: '2026-11-30T21:05:00.000Z',
    issuedAt: '2026-11-30T21:06:00.000Z',
  };
}

function isLanguage(value: string): value is Language {
  return value === 'fr' || value === 'en';
}

async function main(): Promise<void> {
  const [output = 'sample-invoice.pdf', language = 'fr', orders = '20'] = process.argv.slice(2);
  if (!isLanguage(language)) throw new Error(`language must be fr or en, not ${language}`);
  const options = { language, orders: Number(orders) };
  await pipeline(renderInvoicePdf(sampleInvoice(options), sampleOrders(options)), createWriteStream(output));
  console.log(`wrote ${output}`);
}

// Run as a script only (not when bundled into something else, where import.meta.url is the bundle's).
const script = process.argv[1];
if (script && /[\\/]sample\.[cm]?[jt]s$/.test(script) && import.meta.url === pathToFileURL(script).href) {
  await main();
}
