/**
 * The README sample invoice: made-up but realistic data, to see what buyers receive (docs/sample-invoice.png,
 * drawn by infra/local/sample-invoice.ts) and to benchmark the renderer and the billing run. Its orders are
 * generated one at a time from their index, so even 10,000 of them are never held in memory together.
 */
import type { Invoice } from '../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../shared/contracts/schemas/order.js';
import type { Language } from '../../shared/documents/texts/format.js';
import { aBuyer, anInvoice, invoiceFigures } from './invoices.js';
import { anIssuer } from './issuer.js';
import { aStoredOrder, type StoredLineInput } from './orders.js';
import { SAMPLE_SELLERS } from './sellers.js';

export interface SampleOptions {
  language?: Language;
  /** Number of orders (default 20, about 60 lines). */
  orders?: number;
  /**
   * Index of the first order (default 0): invoices over different ranges have different order ids,
   * references, dates, quantities and amounts, as different buyers' invoices do.
   */
  firstOrder?: number;
}

/** The sample's products, each from one of `SAMPLE_SELLERS`. */
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

const SELLER_NAMES = new Map(SAMPLE_SELLERS.map((seller) => [seller.sellerId, seller.legalName]));

const QUANTITIES = [1, 2, 4, 10, 2.5, 12, 0.75, 6, 3, 24];

/** The nth order: 1 to 5 lines cycling through the catalogue, received during November 2026 (Paris). */
export function sampleOrder(index: number): Order {
  const lineCount = 1 + ((index * 7) % 5);
  const lines = Array.from({ length: lineCount }, (_, position): StoredLineInput => {
    const item = CATALOGUE[(index * 3 + position * 7) % CATALOGUE.length] ?? CATALOGUE[0];
    const sellerId = `seller-${item.seller}`;
    return {
      sku: item.sku,
      description: item.description,
      quantity: QUANTITIES[(index + position * 3) % QUANTITIES.length] ?? 1,
      unitPriceMinor: item.unit,
      vatRate: item.vat,
      sellerId,
      sellerName: SELLER_NAMES.get(sellerId) as string,
    };
  });
  const day = 1 + (index % 30);
  const received = new Date(Date.UTC(2026, 10, day, 7 + (index % 12), (index * 13) % 60));
  return aStoredOrder(index, lines, {
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
    status: 'billed',
    receivedAt: received.toISOString(),
  });
}

/** The sample orders `options` selects, one at a time. */
function* sampleOrderRange(options: SampleOptions): Generator<Order> {
  const first = options.firstOrder ?? 0;
  const count = options.orders ?? 20;
  for (let index = first; index < first + count; index += 1) yield sampleOrder(index);
}

/** The sample orders, generated one at a time (what a paginated DynamoDB query hands over). */
export async function* sampleOrders(options: SampleOptions = {}): AsyncGenerator<Order> {
  yield* sampleOrderRange(options);
}

/** The sample invoice over `sampleOrders` with the same options: totals per rate from the line nets. */
export function sampleInvoice(options: SampleOptions = {}): Invoice {
  const first = options.firstOrder ?? 0;
  const count = options.orders ?? 20;
  return anInvoice(invoiceFigures(sampleOrderRange(options)), {
    runId: 'run_2026-11-30',
    number: `2026-${String(123 + Math.floor(first / Math.max(count, 1))).padStart(6, '0')}`,
    issueDate: '2026-11-30',
    dueDate: '2026-12-30',
    language: options.language ?? 'fr',
    supplyCategory: 'mixed',
    paymentTerms: { type: 'net', days: 30 },
    issuer: anIssuer({
      legalName: 'Halles Connect SAS',
      shareCapital: '150 000 EUR',
      rcs: 'RCS Paris 912 345 675',
      email: 'facturation@halles-connect.example',
    }),
    buyer: aBuyer({
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
    }),
    createdAt: '2026-11-30T21:05:00.000Z',
    issuedAt: '2026-11-30T21:06:00.000Z',
  });
}
