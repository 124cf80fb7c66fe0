/**
 * Orders and their lines: `POST /v1/orders` bodies (`aLine`, `anOrder`), stored orders as intake stores
 * them (`aStoredOrder`, for documents and entities), and the presets the demo, the seed, the tests and the
 * bench share (the README's example order, the demo baskets, the intake bench's order).
 */
import type { CreateOrderInput, Order } from '../../shared/contracts/schemas/order.js';
import { computeTotals } from '../../shared/core/domain/money.js';
import { defaultVatCategory } from '../../shared/core/domain/vat-categories.js';
import { uniqueTag } from './unique.js';

/** A line as a storefront sends it. */
export type LineInput = CreateOrderInput['lines'][number];

/** A line: by default 2 × 10.00 EUR at 20 % VAT, sold by `seller-1` (registered in every test table). */
export function aLine(overrides: Partial<LineInput> = {}): LineInput {
  return {
    sku: 'SKU-1',
    description: 'Widget',
    quantity: 2,
    unitPriceMinor: 1000,
    vatRate: 20,
    sellerId: 'seller-1',
    ...overrides,
  };
}

/** A valid order body with a reference of its own: by default one `aLine()` (net 20.00, gross 24.00). */
export function anOrder(accountId: string, overrides: Partial<CreateOrderInput> = {}): CreateOrderInput {
  return {
    accountId,
    reference: `SHOP-${uniqueTag()}`,
    currency: 'EUR',
    lines: [aLine()],
    ...overrides,
  };
}

/**
 * What a storefront sent for a stored order: the server adds ids, line numbers, nets, totals, the seller's
 * name and the period.
 */
export function orderInputOf(order: Order, accountId: string = order.accountId): CreateOrderInput {
  return {
    accountId,
    reference: order.reference,
    ...(order.purchaseOrderNumber ? { purchaseOrderNumber: order.purchaseOrderNumber } : {}),
    currency: order.currency,
    ...(order.deliveryAddress ? { deliveryAddress: order.deliveryAddress } : {}),
    lines: order.lines.map(
      ({ sku, description, quantity, unitPriceMinor, vatRate, vatCategory, sellerId }) => ({
        sku,
        description,
        quantity,
        unitPriceMinor,
        vatRate,
        // The default category need not be sent; any other must be.
        ...(vatCategory !== defaultVatCategory(vatRate) ? { vatCategory } : {}),
        sellerId,
      }),
    ),
  };
}

/** A line of a stored order before intake numbers it: the seller's name as intake snapshots it, if any. */
export type StoredLineInput = LineInput & { sellerName?: string };

/** November 2026 in Paris, the monthly period of every stored order unless overridden. */
const NOVEMBER_2026 = {
  cycle: 'monthly',
  timeZone: 'Europe/Paris',
  startDate: '2026-11-01',
  endDate: '2026-11-30',
  startsAt: '2026-10-31T23:00:00.000Z',
  endsAt: '2026-11-30T23:00:00.000Z',
} as const;

/**
 * The id of the nth stored order: ULID-shaped, two characters short of a real one (the README's sample
 * invoice prints them as they are).
 */
export const storedOrderId = (index: number): string =>
  `ord_01JD3Z8Q4N5V2B7C9X${String(index).padStart(6, '0')}`;

/**
 * The nth stored order of one account and storefront: its id and reference derived from `index`, line
 * numbers, nets and totals computed by the domain as intake stores them, accepted on 14 November 2026.
 */
export function aStoredOrder(
  index: number,
  lines: readonly StoredLineInput[],
  overrides: Partial<Order> = {},
): Order {
  const computed = computeTotals(lines);
  return {
    orderId: storedOrderId(index),
    accountId: 'acc_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
    storefrontId: 'sf_01JD3Z8Q4N5V2B7C9X0K1M2P3S',
    reference: `SHOP-${100200 + index}`,
    currency: 'EUR',
    status: 'accepted',
    receivedAt: '2026-11-14T09:30:00.000Z',
    billingPeriod: { ...NOVEMBER_2026 },
    lines: lines.map((line, position) => ({
      ...line,
      vatCategory: line.vatCategory ?? defaultVatCategory(line.vatRate),
      lineNumber: position + 1,
      netMinor: computed.lineNets[position] ?? 0,
    })),
    vatBreakdown: computed.vatBreakdown,
    totals: computed.totals,
    ...overrides,
  };
}

/** Stored orders one at a time, as a paginated query hands them over. */
export async function* streamOf(orders: Iterable<Order>): AsyncGenerator<Order> {
  for (const order of orders) yield order;
}

/**
 * Three stored orders with lines at 20 %, 5.5 % and 2.1 %. Expected, by hand: line nets 20.00, 99.60, 5.00
 * (1.5 × 3.33 = 4.995, half-up), 23.40, 33.30, 12 340.00, 13.80; bases 20 %: 12 393.30 (VAT 2 478.66),
 * 5.5 %: 104.60 (VAT 5.753 → 5.75), 2.1 %: 37.20 (VAT 0.7812 → 0.78); net 12 535.10, VAT 2 485.19, gross
 * 15 020.29.
 */
export function threeOrders(): Order[] {
  return [
    aStoredOrder(
      1,
      [line('APRON-BLUE', 'Tablier bleu', 2, 1000, 20, 'seller-textiles-pro'), exampleFlourLine()],
      { purchaseOrderNumber: 'PO-7781', receivedAt: '2026-11-03T23:30:00.000Z' },
    ),
    aStoredOrder(
      2,
      [
        line('YEAST-500G', 'Levure fraîche', 1.5, 333, 5.5, 'seller-laiterie'),
        line('PRESS-52', 'Abonnement presse, 52 numéros', 3, 780, 2.1, 'seller-kiosque'),
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
    aStoredOrder(3, [
      line('GOLD-LEAF', 'Feuille d’or alimentaire, carnet', 0.333, 10000, 20, 'seller-textiles-pro'),
      line(
        'BOX-PASTRY-50',
        'Boîtes à pâtisserie blanches 20 cm, lot de 50',
        1000,
        1234,
        20,
        'seller-emballages',
      ),
      line('PRESS-MAG', 'Magazine professionnel', 12, 115, 2.1, 'seller-kiosque'),
    ]),
  ];
}

/** A line, positionally: the compact form of the presets below. */
function line(
  sku: string,
  description: string,
  quantity: number,
  unitPriceMinor: number,
  vatRate: number,
  sellerId: string,
): LineInput {
  return { sku, description, quantity, unitPriceMinor, vatRate, sellerId };
}

/** Four 25 kg sacks of flour from a demo seller: the line of the README's example order (105.08 EUR). */
export function exampleFlourLine(overrides: Partial<LineInput> = {}): LineInput {
  return {
    ...line('FLOUR-T65-25KG', 'Farine T65, sac de 25 kg', 4, 2490, 5.5, 'seller-moulins-de-brie'),
    ...overrides,
  };
}

/**
 * The README's example order, which `npm start` prints as a curl: one `exampleFlourLine` (net 99.60, VAT
 * 5.48, gross 105.08 EUR) for a demo account.
 */
export function exampleOrder(accountId: string, reference = 'DEMO-0001'): CreateOrderInput {
  return anOrder(accountId, { reference, lines: [exampleFlourLine()] });
}

/**
 * The intake bench's order, a realistic storefront basket: three lines, two demo sellers' goods at
 * different VAT rates and a delivery fee, a purchase order number, a reference of its own.
 */
export function benchOrder(accountId: string, index: number): CreateOrderInput {
  return anOrder(accountId, {
    reference: `BENCH-${index}-${uniqueTag()}`,
    purchaseOrderNumber: `PO-${10_000 + (index % 90_000)}`,
    lines: [
      exampleFlourLine({ quantity: 4 + (index % 5) }),
      line('APRON-BLUE', 'Tablier de boulanger, bleu', 2, 1500, 20, 'seller-textiles-pro'),
      line('DELIVERY-SAMEDAY', 'Livraison le jour même, par palette', 1.5, 1250, 20, 'seller-textiles-pro'),
    ],
  });
}

/**
 * Three orders per demo account (by contract reference), at several VAT rates: 20 % (standard), 10 %
 * (catering, accommodation), 5.5 % (food, books), 2.1 % (press). Every seller is one of `DEMO_SELLERS`.
 */
export const DEMO_BASKETS: Readonly<Record<string, readonly LineInput[][]>> = {
  // Boulangeries Martin (monthly, goods): 536,55 + 133,72 + 147,37 € on one invoice of 817,63 € (the 5.5 %
  // VAT rounds once on the invoice's base), the case credit notes must settle to the cent.
  'DEMO-CTR-001': [
    [
      exampleFlourLine({ quantity: 8 }),
      line('BUTTER-AOP-10KG', 'Beurre AOP Charentes-Poitou, 10 kg', 2, 8900, 5.5, 'seller-laiterie-surgeres'),
      line('BAG-KRAFT-1000', 'Sacs kraft à baguette, carton de 1000', 3, 3850, 20, 'seller-emballages-pro'),
    ],
    [
      line('SUGAR-CANE-10KG', 'Sucre de canne, 10 kg', 3, 1950, 5.5, 'seller-moulins-de-brie'),
      line('APRON-BLUE', 'Tablier bleu, coton', 4, 1500, 20, 'seller-textiles-pro'),
    ],
    [
      line(
        'MAG-BOULANGER-12',
        'Abonnement « Le Boulanger » 12 numéros',
        1,
        7800,
        2.1,
        'seller-presse-metiers',
      ),
      line('YEAST-500G', 'Levure fraîche, 500 g', 10, 245, 5.5, 'seller-moulins-de-brie'),
      line('THERMO-PROBE', 'Sonde de cuisson', 1, 3490, 20, 'seller-equip-fournil'),
    ],
  ],
  // Atelier Dupont (weekly, goods)
  'DEMO-CTR-002': [
    [
      line('CHISEL-SET-6', 'Jeu de 6 ciseaux à bois', 1, 8990, 20, 'seller-outils-lyon'),
      line('BOOK-EBENISTERIE', 'Livre « Techniques d’ébénisterie »', 2, 3200, 5.5, 'seller-librairie-tech'),
    ],
    [
      line('OAK-BOARD-2M', 'Planche de chêne, 2 m', 6, 4275, 20, 'seller-scierie-rhone'),
      line('VARNISH-1L', 'Vernis mat, 1 L', 2, 2190, 20, 'seller-outils-lyon'),
    ],
    [
      line('LUNCH-TEAM', 'Plateaux-repas livrés, équipe atelier', 5, 1450, 10, 'seller-traiteur-saone'),
      line('MAG-BOIS-6', 'Abonnement « Le Bois » 6 numéros', 1, 4200, 2.1, 'seller-presse-metiers'),
    ],
  ],
  // Studio Lumière (quarterly, services)
  'DEMO-CTR-003': [
    [
      line('STUDIO-DAY', 'Studio rental, one day', 2, 45000, 20, 'seller-studios-bordeaux'),
      line('RETOUCH-HOUR', 'Photo retouching, per hour', 6, 5500, 20, 'seller-retouche-pro'),
    ],
    [
      line('HOTEL-NIGHT', 'Hotel night for the shooting crew', 3, 11000, 10, 'seller-hotels-gironde'),
      line('CATERING-DAY', 'On-set catering, per day', 2, 32000, 10, 'seller-traiteur-chartrons'),
    ],
    [
      line('LIGHT-KIT-DAY', 'Lighting kit rental, one day', 2, 18000, 20, 'seller-studios-bordeaux'),
      line('DRIVER-DAY', 'Driver and van, one day', 1, 39000, 20, 'seller-transports-gironde'),
    ],
  ],
  // Café des Halles (semi-monthly, goods; a small credit limit)
  'DEMO-CTR-004': [
    [
      line('COFFEE-BEANS-1KG', 'Café en grains, 1 kg', 6, 1840, 5.5, 'seller-torrefaction-alsace'),
      line('CUP-PAPER-500', 'Gobelets carton, lot de 500', 1, 2990, 20, 'seller-emballages-pro'),
    ],
    [
      line('WINE-RIESLING', 'Riesling d’Alsace, bouteille', 12, 890, 20, 'seller-domaine-vosges'),
      line('SYRUP-VANILLA', 'Sirop de vanille, 1 L', 2, 790, 5.5, 'seller-torrefaction-alsace'),
    ],
    [
      line('NEWSPAPER-DNA', 'Quotidien régional, abonnement mensuel', 1, 3100, 2.1, 'seller-presse-est'),
      line('PRETZEL-50', 'Bretzels, carton de 50', 1, 2450, 5.5, 'seller-boulangerie-halles'),
    ],
  ],
};

/**
 * The demo baker's three orders (`DEMO-CTR-001`), every line sold by `sellerId`: the demo invoice of
 * 817,63 € on a table that knows only the test sellers.
 */
export function demoBakerBaskets(sellerId = 'seller-1'): LineInput[][] {
  const baskets = DEMO_BASKETS['DEMO-CTR-001'] ?? [];
  return baskets.map((basket) => basket.map((demoLine) => ({ ...demoLine, sellerId })));
}
