import { setTimeout as sleep } from 'node:timers/promises';
import { inflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import { extractTextItems, getDocumentProxy, getMeta } from 'unpdf';
import { describe, expect, it } from 'vitest';
import type { Order } from '../../../shared/contracts/schemas/order.js';
import { formatMoney } from '../../../shared/core/domain/money.js';
import { loadDocumentFonts } from '../../../shared/documents/pdf/fonts.js';
import { InvoiceRenderError, renderInvoicePdf } from '../../../shared/documents/pdf/invoice.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { aLine, aStoredOrder, streamOf, threeOrders } from '../../builders/orders.js';
import { bytesOf, embeddedFonts, plain, readPdf } from './pdf-reader.js';

const orders = threeOrders();
const figures = invoiceFigures(orders);
const eur = (minor: number, language: 'fr' | 'en') => plain(formatMoney(minor, 'EUR', language));

describe('renderInvoicePdf', () => {
  it('prints every figure and mention of a French invoice', async () => {
    const invoice = anInvoice(figures);
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(orders))));

    // Number, dates, period: due date written as a date.
    expect(text).toContain('FACTURE');
    expect(text).toContain('n° 2026-000123');
    expect(text).toContain("Date d'émission | 01/12/2026");
    expect(text).toContain("Date d'échéance | 15/01/2027");
    expect(text).toContain('Période | du 01/11/2026 au 30/11/2026');
    expect(text).toContain('Conditions de paiement | 45 jours nets');
    // Issuer identity.
    expect(text).toContain('Marketplace SAS');
    expect(text).toContain('SAS au capital de 100 000 EUR');
    expect(text).toContain('SIREN 912 345 675 · RCS Paris 912 345 675');
    expect(text).toContain('N° TVA intracommunautaire : FR65912345675');
    // Buyer: VAT id, SIREN, delivery address, purchase order.
    expect(text).toContain('Boulangeries Martin SAS');
    expect(text).toContain('N° TVA intracommunautaire : FR40303265045');
    expect(text).toContain('SIREN 303 265 045');
    expect(text).toContain("Identique à l'adresse de facturation");
    expect(text).toContain('Bon de commande : PO-2026-118');
    // Orders: local date in Paris (23:30 UTC on the 3rd is the 4th), id, PO, own delivery address.
    expect(text).toContain(
      'Commande SHOP-100201 du 04/11/2026 | ord_01JD3Z8Q4N5V2B7C9X000001 · Bon de commande : PO-7781',
    );
    expect(text).toContain('Livraison : 8 place du Marché, 77300 Fontainebleau, France');
    // Lines: seller, sku, description, quantity (up to 3 decimals), unit price, rate, stored net.
    expect(text).toContain('seller-textiles-pro | APRON-BLUE | Tablier bleu | 2 | 10,00 € | 20 % | 20,00 €');
    expect(text).toContain('1,5 | 3,33 € | 5,5 % | 5,00 €');
    expect(text).toContain('0,333 | 100,00 € | 20 % | 33,30 €');
    expect(text).toContain('1 000 | 12,34 € | 20 % | 12 340,00 €');
    expect(text).toContain('12 | 1,15 € | 2,1 % | 13,80 €');
    // VAT breakdown per rate: rate, base, VAT.
    expect(text).toContain('20 % | 12 393,30 € | 2 478,66 €');
    expect(text).toContain('5,5 % | 104,60 € | 5,75 €');
    expect(text).toContain('2,1 % | 37,20 € | 0,78 €');
    // Totals and amount due.
    expect(text).toContain('Total HT | 12 535,10 €');
    expect(text).toContain('Total TVA | 2 485,19 €');
    expect(text).toContain('Total TTC | 15 020,29 €');
    expect(text).toContain('Net à payer | 15 020,29 €');
    expect(text).toContain('Net à payer : 15 020,29 € | au plus tard le 15/01/2027');
    // Payment and legal mentions.
    expect(text).toContain('IBAN : FR76 3000 6000 0112 3456 7890 189 · BIC : AGRIFRPPXXX');
    expect(text).toContain(
      "Pénalités de retard : taux directeur de la BCE (2,15 %) majoré de 10 points, soit 12,15 % l'an, exigibles dès le lendemain de la date d'échéance.",
    );
    expect(text).toContain('Indemnité forfaitaire pour frais de recouvrement : 40,00 €');
    expect(text).toContain("Pas d'escompte pour paiement anticipé.");
    expect(text).toContain("Catégorie d'opération : Livraison de biens");
    expect(text).toContain("Option pour le paiement de la TVA d'après les débits.");
    expect(text).toContain('Facture n° 2026-000123 · Page 1');
  });

  it('prints every figure and mention of an English invoice', async () => {
    const invoice = anInvoice(figures, {
      language: 'en',
      supplyCategory: 'services',
      buyer: {
        ...anInvoice(figures).buyer,
        deliveryAddress: { line1: '3 Quai des Docks', postalCode: '13002', city: 'Marseille', country: 'FR' },
      },
    });
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(orders))));

    expect(text).toContain('INVOICE');
    expect(text).toContain('No. 2026-000123');
    expect(text).toContain('Issue date | 1 Dec 2026');
    expect(text).toContain('Due date | 15 Jan 2027');
    expect(text).toContain('Period | 1 Nov 2026 to 30 Nov 2026');
    expect(text).toContain('VAT ID: FR40303265045');
    expect(text).toContain('SIREN 303 265 045');
    expect(text).toContain('3 Quai des Docks');
    expect(text).toContain('Purchase order: PO-2026-118');
    expect(text).toContain('Order SHOP-100201 of 4 Nov 2026');
    expect(text).toContain('1,000 | €12.34 | 20% | €12,340.00');
    expect(text).toContain('0.333 | €100.00 | 20% | €33.30');
    expect(text).toContain(`20% | ${eur(1_239_330, 'en')} | ${eur(247_866, 'en')}`);
    expect(text).toContain('5.5% | €104.60 | €5.75');
    expect(text).toContain('2.1% | €37.20 | €0.78');
    expect(text).toContain('Total excl. VAT | €12,535.10');
    expect(text).toContain('Total VAT | €2,485.19');
    expect(text).toContain('Total incl. VAT | €15,020.29');
    expect(text).toContain('Amount due | €15,020.29');
    expect(text).toContain(
      'Late-payment penalties: ECB main refinancing rate (2.15%) plus 10 percentage points, i.e. 12.15% a year, due from the day after the due date.',
    );
    expect(text).toContain('Fixed indemnity for recovery costs: €40.00');
    expect(text).toContain('No discount for early payment.');
    expect(text).toContain('Category of operation: Supply of services.');
    expect(text).toContain('Invoice No. 2026-000123 · Page 1');
  });

  it('prints the amount due and totals as recorded, never recomputed', async () => {
    // An amount due below the gross (say a credit already applied) and VAT as the invoice says.
    const invoice = anInvoice(figures, { amountDueMinor: 1_402_029 });
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(orders))));
    expect(text).toContain('Total TTC | 15 020,29 €');
    expect(text).toContain('Net à payer | 14 020,29 €');
  });

  it('leaves the VAT-on-debits mention out when the issuer did not opt for it', async () => {
    const base = anInvoice(figures);
    const invoice = anInvoice(figures, { issuer: { ...base.issuer, vatOnDebits: false } });
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(orders))));
    expect(text).not.toContain('débits');
    expect(text).toContain("Pas d'escompte pour paiement anticipé.");
  });

  it('states the penalty as a formula when the half-year had no ECB rate at numbering', async () => {
    const invoice = anInvoice(figures, { latePenalty: { halfYear: '2026-H2', marginPoints: 10 } });
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(orders))));
    expect(text).toContain(
      'Pénalités de retard : taux directeur de la BCE en vigueur au 1er juillet 2026 majoré de 10 points, exigibles',
    );
    expect(text).not.toMatch(/soit [\d,]+ % l'an/);
  });

  it('still renders an invoice stored before the penalty was resolved per half-year', async () => {
    const { latePenalty: _resolved, ...stored } = anInvoice(figures);
    const invoice = { ...stored, issuer: { ...stored.issuer, latePenaltyRatePercent: 12.15 } };
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(orders))));
    expect(text).toContain(
      "Pénalités de retard : taux annuel de 12,15 % (au moins trois fois le taux d'intérêt légal)",
    );
  });

  it('is a PDF/A-3b file, tagged, with DejaVu embedded and no standard font', async () => {
    const pdf = await bytesOf(renderInvoicePdf(anInvoice(figures), streamOf(orders)));
    const raw = pdf.toString('latin1');
    expect(raw.startsWith('%PDF-1.7')).toBe(true);
    // The XMP packet is stored uncompressed.
    expect(raw).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(raw).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(raw).toContain('/OutputIntents');
    expect(raw).toContain('/Lang (fr-FR)');
    expect(raw).toContain('/Marked true');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold\b/);
    expect(raw).toContain('/FontFile2');
    expect(raw).not.toContain('Helvetica');
    const { info } = await getMeta(new Uint8Array(pdf));
    expect(info.Title).toBe('Facture 2026-000123');
    expect(info.Author).toBe('Marketplace SAS');
  });

  it('deflates every stream but the XMP packet, each one whole and of its declared length', async () => {
    const pdf = await bytesOf(renderInvoicePdf(anInvoice(figures), streamOf(orders)));
    const raw = pdf.toString('latin1');
    const streams = [...raw.matchAll(/<<((?:(?!>>\s*stream).)*?)>>\s*stream\r?\n/gs)];
    expect(streams.length).toBeGreaterThanOrEqual(7); // page, 2 fonts with their ToUnicode maps, profile, XMP
    let metadata = 0;
    for (const match of streams) {
      const dictionary = match[1] as string;
      const length = Number(/\/Length (\d+)/.exec(dictionary)?.[1]);
      const start = (match.index ?? 0) + match[0].length;
      const bytes = pdf.subarray(start, start + length);
      expect(raw.slice(start + length, start + length + 12)).toMatch(/^\s*endstream/);
      if (dictionary.includes('/Type /Metadata')) {
        metadata++;
        expect(dictionary).not.toContain('/Filter');
        expect(bytes.toString('latin1')).toContain('<x:xmpmeta');
      } else {
        expect(dictionary).toContain('/Filter /FlateDecode');
        expect(() => inflateSync(bytes)).not.toThrow();
      }
    }
    expect(metadata).toBe(1);
  });

  it('renders the same invoice to the same bytes', async () => {
    const invoice = anInvoice(figures);
    const first = await bytesOf(renderInvoicePdf(invoice, streamOf(orders)));
    const second = await bytesOf(renderInvoicePdf(invoice, streamOf(orders)));
    expect(second.equals(first)).toBe(true);
  });

  it('draws every character with its own glyph, names in any script included, invoice after invoice', async () => {
    const usual = anInvoice(figures);
    const unusual = anInvoice(figures, {
      // Polish and Greek letters, a Cyrillic name, a q with a combining acute (no precomposed form).
      buyer: { ...usual.buyer, legalName: 'Łódź Piekarnia Ωmega — Хлеб q\u0301' },
    });
    const first = await bytesOf(renderInvoicePdf(usual, streamOf(orders)));
    const other = await bytesOf(renderInvoicePdf(unusual, streamOf(orders)));
    const again = await bytesOf(renderInvoicePdf(usual, streamOf(orders)));
    // What the other invoice added to its fonts does not leak into the next one.
    expect(again.equals(first)).toBe(true);
    expect((await readPdf(other)).text.normalize('NFC')).toContain(
      'Łódź Piekarnia Ωmega — Хлеб q\u0301'.normalize('NFC'),
    );

    const originals = loadDocumentFonts();
    for (const pdf of [first, other]) {
      const fonts = embeddedFonts(pdf);
      expect(fonts.map((font) => font.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual([
        'DejaVuSans',
        'DejaVuSans-Bold',
      ]);
      for (const font of fonts) {
        const original = font.name.endsWith('-Bold') ? originals.bold : originals.regular;
        const embedded = fontkit.create(font.program) as unknown as {
          getGlyph(id: number): { advanceWidth: number; path: { toSVG(): string } };
        };
        let checked = 0;
        for (const [code, text] of font.toUnicode) {
          if (code === 0 || [...text].length !== 1) continue;
          const expected = original.glyphForCodePoint(text.codePointAt(0) as number) as unknown as {
            advanceWidth: number;
            path: { toSVG(): string };
          };
          const glyph = embedded.getGlyph(code);
          expect(glyph.advanceWidth, `${font.name} code ${code} (${text})`).toBe(expected.advanceWidth);
          expect(glyph.path.toSVG(), `${font.name} code ${code} (${text})`).toBe(expected.path.toSVG());
          checked += 1;
        }
        expect(checked).toBeGreaterThan(60);
      }
    }
  });

  it('breaks pages with the table header repeated and a numbered footer', async () => {
    const many = Array.from({ length: 90 }, (_, index) =>
      aStoredOrder(index, [
        aLine({
          sku: `SKU-${index}`,
          description: 'Farine T65, sac de 25 kg',
          quantity: 1,
          unitPriceMinor: 2490,
          vatRate: 5.5,
          sellerId: 'seller-a',
        }),
        aLine({
          sku: `BOX-${index}`,
          description: 'Boîtes à pâtisserie, lot de 50',
          unitPriceMinor: 1890,
          sellerId: 'seller-b',
        }),
      ]),
    );
    const invoice = anInvoice(invoiceFigures(many));
    const { pages } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(many))));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((rows, index) => {
      expect(rows.join('\n')).toContain(`Facture n° 2026-000123 · Page ${index + 1}`);
    });
    for (const rows of pages.slice(1, -1)) {
      expect(rows).toContain('Facture n° 2026-000123 (suite) | Marketplace SAS');
      expect(rows).toContain('Vendeur | Référence | Désignation | Qté | PU HT | TVA | Montant HT');
    }
    // Every order and line is there once.
    const text = pages.flat().join('\n');
    for (const order of many) expect(text).toContain(`Commande ${order.reference} du 14/11/2026`);
    expect(text.match(/\| 24,90 € \| 5,5 % \| 24,90 €/g)).toHaveLength(90);
  });

  it('keeps every text inside the margins, however long names, addresses, ids and descriptions are', async () => {
    const long = (word: string, length: number) =>
      word.repeat(Math.ceil(length / word.length)).slice(0, length);
    const address = {
      line1: long('Chemin des Vignes Hautes ', 200),
      postalCode: '51100',
      city: 'Reims',
      country: 'FR',
    };
    const order = aStoredOrder(
      1,
      [
        aLine({
          sku: long('SKU', 64),
          description: long('Très long libellé de produit ', 500),
          quantity: 999_999.999,
          unitPriceMinor: 123_456_789,
          vatRate: 5.5,
          sellerId: long('seller', 64),
        }),
      ],
      { reference: long('REF', 100), purchaseOrderNumber: long('PO', 100), deliveryAddress: address },
    );
    const base = anInvoice(invoiceFigures([order]));
    const invoice = anInvoice(invoiceFigures([order]), {
      issuer: { ...base.issuer, legalName: long('Coopérative des Producteurs Réunis ', 120), address },
      buyer: { ...base.buyer, legalName: long('Boulangeries Artisanales ', 150), billingAddress: address },
      purchaseOrderNumber: long('PO', 100),
    });
    const pdf = await bytesOf(renderInvoicePdf(invoice, streamOf([order])));
    const { items } = await extractTextItems(await getDocumentProxy(new Uint8Array(pdf)));
    for (const item of items.flat().filter((entry) => entry.str.trim())) {
      expect(item.x, item.str).toBeGreaterThanOrEqual(41);
      expect(item.x + item.width, item.str).toBeLessThanOrEqual(595.28 - 41);
      expect(item.y, item.str).toBeGreaterThan(10);
    }
    // Outsized figures are printed whole, in a smaller size that fits their column.
    const { text } = await readPdf(pdf);
    expect(text).toContain('999 999,999 | 1 234 567,89 € | 5,5 % | 1 234 567 888 765,43 €');
  });

  it('renders a draft (no number, no dates) as a preview that is not an invoice', async () => {
    const invoice = anInvoice(figures, {
      status: 'draft',
      number: undefined,
      issueDate: undefined,
      dueDate: undefined,
    });
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(orders))));
    expect(text).toContain('PROJET DE FACTURE');
    expect(text).toContain('Document provisoire, non numéroté');
    expect(text).not.toContain('2026-000123');
  });

  it('fails the stream when the orders are not the invoice’s', async () => {
    const invoice = anInvoice(figures);
    await expect(bytesOf(renderInvoicePdf(invoice, streamOf(orders.slice(0, 2))))).rejects.toThrow(
      /orders do not match invoice .*2 orders streamed, the invoice has 3/,
    );
    const inDollars = orders.map(
      (order, index): Order => (index === 1 ? { ...order, currency: 'USD' } : order),
    );
    await expect(bytesOf(renderInvoicePdf(invoice, streamOf(inDollars)))).rejects.toBeInstanceOf(
      InvoiceRenderError,
    );
  });

  it('fails the stream when reading the orders fails', async () => {
    async function* failing(): AsyncGenerator<Order> {
      yield orders[0] as Order;
      throw new Error('DynamoDB is down');
    }
    await expect(bytesOf(renderInvoicePdf(anInvoice(figures), failing()))).rejects.toThrow(
      'DynamoDB is down',
    );
  });

  it('reads orders only as fast as the PDF is consumed', async () => {
    const total = 1_500;
    let pulled = 0;
    async function* counted(): AsyncGenerator<Order> {
      for (let index = 0; index < total; index += 1) {
        pulled += 1;
        yield aStoredOrder(index, [
          aLine({ sku: 'SKU', description: 'Article', quantity: 1, sellerId: 'seller-a' }),
        ]);
      }
    }
    const figuresOfAll = invoiceFigures(
      Array.from({ length: total }, (_, index) =>
        aStoredOrder(index, [
          aLine({ sku: 'SKU', description: 'Article', quantity: 1, sellerId: 'seller-a' }),
        ]),
      ),
    );
    const stream = renderInvoicePdf(anInvoice(figuresOfAll), counted());
    await sleep(300);
    // Nobody reads: the renderer stops once the stream's buffers are full.
    const pulledWhileBlocked = pulled;
    expect(pulledWhileBlocked).toBeGreaterThan(0);
    expect(pulledWhileBlocked).toBeLessThan(total / 2);
    const pdf = await bytesOf(stream);
    expect(pulled).toBe(total);
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
  });
});

describe('identifiers on the invoice', () => {
  /** The printed rows of a PDF, every page. */
  const rowsOf = async (invoice: ReturnType<typeof anInvoice>, printed: Order[]) =>
    (await readPdf(await bytesOf(renderInvoicePdf(invoice, streamOf(printed))))).pages.flat();
  const line = (sku: string, sellerId = 'seller-a') =>
    aLine({
      sku,
      description: 'Café en grains, 1 kg',
      quantity: 6,
      unitPriceMinor: 1840,
      vatRate: 5.5,
      sellerId,
    });

  it('prints a SKU a little wider than its column whole, on one line', async () => {
    const order = aStoredOrder(1, [line('COFFEE-BEANS-1KG')]);
    const rows = await rowsOf(anInvoice(invoiceFigures([order])), [order]);
    expect(rows.find((row) => row.includes('COFFEE-BEANS-1KG'))).toContain('| Café en grains, 1 kg |');
    expect(rows.some((row) => /COFFEE-BEANS-?$/.test(row.split(' | ')[1] ?? ''))).toBe(false);
  });

  it('prints a 40-character SKU whole on one line, its description below', async () => {
    const sku = 'PALLET-EURO-1200X800-HEATTREATED-EPAL-01';
    expect(sku).toHaveLength(40);
    const order = aStoredOrder(1, [line(sku)]);
    const rows = await rowsOf(anInvoice(invoiceFigures([order])), [order]);
    const at = rows.findIndex((row) => row.includes(sku));
    expect(at, rows.join('\n')).toBeGreaterThan(0);
    expect(rows[at]).toContain('| 6 | 18,40 € | 5,5 % | 110,40 €');
    expect(rows[at + 1]).toBe('Café en grains, 1 kg');
  });

  it('prints a stored seller id whole rather than cut after a hyphen', async () => {
    const order = aStoredOrder(1, [line('COFFEE-1KG', 'seller-torrefaction-alsace')]);
    const rows = await rowsOf(anInvoice(invoiceFigures([order])), [order]);
    expect(rows.some((row) => row.startsWith('seller-torrefaction-alsace | COFFEE-1KG'))).toBe(true);
  });

  it('names the seller by the legal name the line was placed with, wrapped between words', async () => {
    const sellerName = 'Torréfaction d’Alsace et Cafés du Monde Réunis SARL';
    const order = aStoredOrder(1, [
      { ...line('COFFEE-BEANS-1KG', 'seller-torrefaction-alsace'), sellerName },
    ]);
    const rows = await rowsOf(anInvoice(invoiceFigures([order]), { language: 'en' }), [order]);
    const at = rows.findIndex((row) => row.startsWith('Torréfaction'));
    expect(at, rows.join('\n')).toBeGreaterThan(0);
    expect(rows[at]).toContain('| COFFEE-BEANS-1KG | Café en grains, 1 kg | 6 | €18.40 | 5.5% | €110.40');
    // The name's lines, read back in order, are the name: broken only between words.
    const nameLines = rows.slice(at, at + 4).map((row) => row.split(' | ')[0] as string);
    const printed: string[] = [];
    for (const part of nameLines) {
      if (printed.join(' ').length >= sellerName.length) break;
      printed.push(part);
    }
    expect(printed.join(' ')).toBe(sellerName);
    expect(printed.length).toBeGreaterThan(1);
    expect(rows.join('\n')).not.toContain('seller-torrefaction-alsace');
  });

  it('keeps SIREN, RCS and VAT id whole in the English footer and header', async () => {
    const orders3 = threeOrders();
    const base = anInvoice(invoiceFigures(orders3));
    const invoice = anInvoice(invoiceFigures(orders3), {
      language: 'en',
      issuer: {
        ...base.issuer,
        legalName: 'Marketplace Démo SAS',
        address: { line1: '10 rue de Rivoli', postalCode: '75001', city: 'Paris', country: 'FR' },
        siren: '123456782',
        rcs: 'RCS Paris 123 456 782',
        vatId: 'FR11123456782',
      },
    });
    const rows = await rowsOf(invoice, orders3);
    const footer = rows.filter((row) => row.includes('Marketplace Démo SAS ·') || row.includes('· VAT ID'));
    expect(footer.length, rows.join('\n')).toBeGreaterThan(0);
    for (const identifier of ['SIREN 123 456 782', 'RCS Paris 123 456 782', 'VAT ID: FR11123456782']) {
      expect(
        rows.filter((row) => row.includes(identifier)),
        `${identifier} in\n${rows.join('\n')}`,
      ).toHaveLength(2);
    }
  });
});
