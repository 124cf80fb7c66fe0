/**
 * The e-invoice documents without the official validator (that is test/integration/einvoice-validation):
 * what the mapping carries (BT-/BG- terms from the invoice's own figures), the French BR-FR rules one by
 * one, the Factur-X attachment inside the PDFs, the VAT categories on the PDF, and the writers' guards.
 */
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import type { Invoice } from '../../../shared/contracts/schemas/invoice.js';
import type { Order } from '../../../shared/contracts/schemas/order.js';
import { writeCii } from '../../../shared/documents/einvoice/cii.js';
import {
  FRENCH_ADDRESSING_SCHEME,
  frenchRuleViolations,
} from '../../../shared/documents/einvoice/french-rules.js';
import {
  creditNoteDocument,
  invoiceDocument,
  mapInvoice,
} from '../../../shared/documents/einvoice/mapping.js';
import type { EInvoiceDocument } from '../../../shared/documents/einvoice/model.js';
import { writeUbl } from '../../../shared/documents/einvoice/ubl.js';
import { EInvoiceError } from '../../../shared/documents/einvoice/xml.js';
import { renderCreditNotePdf } from '../../../shared/documents/pdf/credit-note.js';
import { renderInvoicePdf } from '../../../shared/documents/pdf/invoice.js';
import { aCreditNote } from '../../builders/credit-notes.js';
import { type CreditNoteCase, type InvoiceCase, representativeEInvoices } from '../../builders/einvoices.js';
import { aBuyer, anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { anIssuer } from '../../builders/issuer.js';
import { aLine, aStoredOrder, streamOf, threeOrders } from '../../builders/orders.js';
import { sampleInvoice, sampleOrders } from '../../builders/sample-invoice.js';
import { bytesOf, plain, readPdf } from './pdf-reader.js';

const orders = threeOrders();
const invoice = anInvoice(invoiceFigures(orders));
const cases = representativeEInvoices();
const caseNamed = <T extends InvoiceCase | CreditNoteCase>(name: string) =>
  cases.find((entry) => entry.name === name) as T;

async function xml(
  write: (document: EInvoiceDocument, sink: (chunk: string) => void) => Promise<void>,
  document: EInvoiceDocument,
): Promise<string> {
  const chunks: string[] = [];
  await write(document, (chunk) => chunks.push(chunk));
  return chunks.join('');
}

const ciiOf = (source: Invoice = invoice, from: Order[] = orders) =>
  xml(writeCii, invoiceDocument(source, streamOf(from)));
const ublOf = (source: Invoice = invoice, from: Order[] = orders) =>
  xml(writeUbl, invoiceDocument(source, streamOf(from)));

/** The notes of a CII as [subject code, text]. */
const notesOf = (cii: string) =>
  [
    ...cii.matchAll(
      /<ram:IncludedNote><ram:Content>([^<]*)<\/ram:Content>(?:<ram:SubjectCode>([^<]*)<\/ram:SubjectCode>)?/g,
    ),
  ].map((match) => [match[2], plain(match[1] ?? '')]);

describe('the EN 16931 mapping of an invoice', () => {
  it('carries the invoice’s own figures: number, dates, period, PO, lines and VAT per rate, to the cent', async () => {
    const cii = await ciiOf();
    expect(cii).toContain('<ram:ID>2026-000123</ram:ID><ram:TypeCode>380</ram:TypeCode>');
    expect(cii).toContain('<udt:DateTimeString format="102">20261201</udt:DateTimeString>'); // BT-2
    expect(cii).toContain('<ram:DueDateDateTime><udt:DateTimeString format="102">20270115<'); // BT-9
    expect(cii).toContain('<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-2026-118<'); // BT-13
    expect(cii).toContain('<ram:StartDateTime><udt:DateTimeString format="102">20261101<'); // BG-14
    // threeOrders: 20 % 12 393.30 (VAT 2 478.66), 5.5 % 104.60 (5.75), 2.1 % 37.20 (0.78).
    expect(cii).toMatch(
      /<ram:CalculatedAmount>2478.66<\/ram:CalculatedAmount><ram:TypeCode>VAT<\/ram:TypeCode><ram:BasisAmount>12393.30<\/ram:BasisAmount><ram:CategoryCode>S<\/ram:CategoryCode>/,
    );
    expect(cii).toContain('<ram:CalculatedAmount>5.75</ram:CalculatedAmount>');
    expect(cii).toContain('<ram:CalculatedAmount>0.78</ram:CalculatedAmount>');
    expect(cii).toContain(
      '<ram:LineTotalAmount>12535.10</ram:LineTotalAmount><ram:TaxBasisTotalAmount>12535.10</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">2485.19</ram:TaxTotalAmount><ram:GrandTotalAmount>15020.29</ram:GrandTotalAmount><ram:DuePayableAmount>15020.29</ram:DuePayableAmount>',
    );
    // One line per order line, quantities as stored (3 decimals), unit C62, the line's stored net.
    expect(cii.match(/<ram:IncludedSupplyChainTradeLineItem>/g)).toHaveLength(7);
    expect(cii).toContain('<ram:BilledQuantity unitCode="C62">0.333</ram:BilledQuantity>');
    expect(cii).toContain('<ram:LineTotalAmount>5.00</ram:LineTotalAmount>'); // 1.5 × 3.33 = 4.995 → 5.00
    expect(cii).toContain(
      '<ram:IncludedNote><ram:Content>Commande SHOP-100201 du 04/11/2026 · Bon de commande : PO-7781<',
    );
    // Payment: SEPA credit transfer to the issuer's IBAN, the number as remittance.
    expect(cii).toContain('<ram:PaymentReference>2026-000123</ram:PaymentReference>');
    expect(cii).toContain(
      '<ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630006000011234567890189<',
    );
  });

  it('writes the same figures in UBL, header before the lines', async () => {
    const ubl = await ublOf();
    expect(ubl).toContain('<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>');
    expect(ubl).toContain('<cbc:PayableAmount currencyID="EUR">15020.29</cbc:PayableAmount>');
    expect(ubl.indexOf('<cac:TaxTotal>')).toBeLessThan(ubl.indexOf('<cac:InvoiceLine>'));
    expect(ubl.match(/<cac:InvoiceLine>/g)).toHaveLength(7);
  });

  it('prices a credited part of a line whole (BT-149) when its net is a difference of rounded nets', async () => {
    const returned = caseNamed<CreditNoteCase>('credit-note-returned-lines');
    const cii = await xml(writeCii, creditNoteDocument(returned.creditNote, returned.invoice));
    // 3 × 3.33 = 9.99 billed; 1.5 credited first (5.00), the other 1.5 is 4.99, not 1.5 × 3.33 = 5.00.
    expect(cii).toContain(
      '<ram:ChargeAmount>4.99</ram:ChargeAmount><ram:BasisQuantity unitCode="C62">1.5</ram:BasisQuantity>',
    );
    expect(cii).toContain('<ram:ChargeAmount>24.90</ram:ChargeAmount></ram:NetPriceProductTradePrice>');
  });

  it('refuses to write lines that do not add up to the header, and a draft', async () => {
    await expect(ciiOf(invoice, orders.slice(1))).rejects.toThrow(EInvoiceError);
    await expect(ublOf(invoice, orders.slice(1))).rejects.toThrow(/lines written, the document has 7/);
    const { number: _number, issueDate: _date, ...draft } = invoice;
    expect(() => mapInvoice({ ...draft, status: 'draft' })).toThrow(/draft/);
  });

  it('escapes text and replaces what XML cannot carry', async () => {
    const [first, ...rest] = orders as [Order, ...Order[]];
    const odd: Order = {
      ...first,
      lines: first.lines.map((line, index) =>
        index === 0 ? { ...line, description: 'Sacs <kraft> & "bio"\u0007' } : line,
      ),
    };
    const cii = await ciiOf(invoice, [odd, ...rest]);
    expect(cii).toContain('<ram:Name>Sacs &lt;kraft&gt; &amp; &quot;bio&quot;\ufffd</ram:Name>');
  });

  it('keeps tabs, line breaks and emoji, and replaces lone surrogates, C1 controls and U+FFFE', async () => {
    const [first, ...rest] = orders as [Order, ...Order[]];
    const odd: Order = {
      ...first,
      lines: first.lines.map((line, index) =>
        index === 0 ? { ...line, description: 'a\tb\nc\rd 😀 \ud800 \u0085 \ufffe é·×' } : line,
      ),
    };
    const cii = await ciiOf(invoice, [odd, ...rest]);
    expect(cii).toContain('<ram:Name>a\tb\nc\rd 😀 \ufffd \ufffd \ufffd é·×</ram:Name>');
  });

  it('needs the reason of an exemption, and names the categories’ defaults otherwise', async () => {
    // An exempt line on an invoice whose issuer has no E reason (intake refuses such a line; a record
    // written otherwise still gets no e-invoice without it).
    const exemptOrder = aStoredOrder(1, [aLine({ vatRate: 0, vatCategory: 'E' })]);
    const exempt = anInvoice(invoiceFigures([exemptOrder]));
    expect(() => mapInvoice(exempt)).toThrow(/exemption reason/);
    const intraCommunity = caseNamed<InvoiceCase>('invoice-intra-community');
    const cii = await ciiOf(intraCommunity.invoice, intraCommunity.orders);
    expect(cii).toContain(
      '<ram:ExemptionReason>Intra-community supply exempt from VAT, article 262 ter I of the French tax code (CGI)</ram:ExemptionReason>',
    );
    expect(cii).toContain('<ram:CategoryCode>K</ram:CategoryCode><ram:ExemptionReasonCode>VATEX-EU-IC<');
    // BR-IC-12: the country the goods went to, here the buyer's address in Germany.
    expect(cii).toMatch(/<ram:ShipToTradeParty>.*<ram:CountryID>DE<\/ram:CountryID>/);
  });
});

describe('the French rules (BR-FR) on top of EN 16931', () => {
  it('BR-FR-05 and BR-FR-06: the PMT, PMD and AAB notes, once each, as the PDF words them', async () => {
    const notes = notesOf(await ciiOf());
    expect(notes.filter(([code]) => code === 'PMT')).toEqual([
      [
        'PMT',
        'Indemnité forfaitaire pour frais de recouvrement : 40,00 €, due en cas de retard de paiement (art. L441-10 et D441-5 du Code de commerce).',
      ],
    ]);
    expect(notes.filter(([code]) => code === 'PMD')).toEqual([
      [
        'PMD',
        "Pénalités de retard : taux directeur de la BCE (2,15 %) majoré de 10 points, soit 12,15 % l'an, exigibles dès le lendemain de la date d'échéance.",
      ],
    ]);
    expect(notes.filter(([code]) => code === 'AAB')).toEqual([
      ['AAB', "Pas d'escompte pour paiement anticipé."],
    ]);
    const ubl = await ublOf();
    expect(ubl).toContain('<cbc:Note>#AAB#Pas d&apos;escompte'.replace('&apos;', "'"));
  });

  it('BR-FR-08: the billing framework (BT-23) from the category of operation', async () => {
    expect(await ciiOf({ ...invoice, supplyCategory: 'goods' })).toContain(
      '<ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>B1</ram:ID>',
    );
    expect(await ciiOf({ ...invoice, supplyCategory: 'services' })).toContain('<ram:ID>S1</ram:ID>');
    expect(await ublOf({ ...invoice, supplyCategory: 'mixed' })).toContain(
      '<cbc:ProfileID>M1</cbc:ProfileID>',
    );
  });

  it('BR-FR-10 and BR-FR-11: the seller’s SIREN always, the domestic buyer’s too (scheme 0002)', async () => {
    const cii = await ciiOf();
    expect(cii).toMatch(
      /<ram:SellerTradeParty>.*<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">912345675<\/ram:ID>/,
    );
    expect(cii).toMatch(
      /<ram:BuyerTradeParty>.*<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">303265045<\/ram:ID>/,
    );
    const ubl = await ublOf();
    expect(ubl).toContain('<cbc:CompanyID schemeID="0002">303265045</cbc:CompanyID>');
    const withoutSiren = mapInvoice({ ...invoice, buyer: aBuyer({ siren: undefined }) }).header;
    expect(frenchRuleViolations(withoutSiren).map((violation) => violation.rule)).toContain('BR-FR-11');
  });

  it('BR-FR-12, BR-FR-13 and BR-FR-21: both electronic addresses, a B2B buyer’s under 0225 by its SIREN', async () => {
    const cii = await ciiOf();
    expect(cii).toMatch(
      /<ram:SellerTradeParty>.*<ram:URIUniversalCommunication><ram:URIID schemeID="0225">912345675<\/ram:URIID>/,
    );
    expect(cii).toMatch(
      /<ram:BuyerTradeParty>.*<ram:URIUniversalCommunication><ram:URIID schemeID="0225">303265045<\/ram:URIID>/,
    );
    expect(await ublOf()).toContain('<cbc:EndpointID schemeID="0225">303265045</cbc:EndpointID>');
    // The account's own address when given (copied onto the invoice's buyer), and the issuer's.
    const given = await ciiOf({
      ...invoice,
      buyer: {
        ...invoice.buyer,
        electronicAddress: { scheme: FRENCH_ADDRESSING_SCHEME, id: '303265045_FACTURES' },
      },
      issuer: {
        ...invoice.issuer,
        electronicAddress: { scheme: FRENCH_ADDRESSING_SCHEME, id: '912345675_AP' },
      },
    });
    expect(given).toContain('<ram:URIID schemeID="0225">303265045_FACTURES</ram:URIID>');
    expect(given).toContain('<ram:URIID schemeID="0225">912345675_AP</ram:URIID>');
    // A buyer abroad: its billing email (scheme EM).
    const abroad = caseNamed<InvoiceCase>('invoice-intra-community');
    expect(await ciiOf(abroad.invoice, abroad.orders)).toContain(
      '<ram:URIID schemeID="EM">rechnungen@baeckerei-mueller.example</ram:URIID>',
    );
    const elsewhere = mapInvoice({
      ...invoice,
      buyer: { ...invoice.buyer, electronicAddress: { scheme: 'EM', id: 'compta@x.example' } },
    });
    expect(frenchRuleViolations(elsewhere.header).map((violation) => violation.rule)).toEqual(['BR-FR-21']);
  });

  it('BR-FR-20: the treatment note says B2B for a buyer in France, B2BINT abroad', async () => {
    expect(notesOf(await ciiOf())).toContainEqual(['BAR', 'B2B']);
    const abroad = caseNamed<InvoiceCase>('invoice-intra-community');
    expect(notesOf(await ciiOf(abroad.invoice, abroad.orders))).toContainEqual(['BAR', 'B2BINT']);
  });

  it('BR-FR-CO-05: a credit note (381) names the invoice it corrects, number and date (BG-3)', async () => {
    const creditNote = aCreditNote(invoice);
    const cii = await xml(writeCii, creditNoteDocument(creditNote, invoice));
    expect(cii).toContain('<ram:TypeCode>381</ram:TypeCode>');
    expect(cii).toContain(
      '<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>2026-000123</ram:IssuerAssignedID><ram:FormattedIssueDateTime><qdt:DateTimeString format="102">20261201</qdt:DateTimeString>',
    );
    const ubl = await xml(writeUbl, creditNoteDocument(creditNote, invoice));
    expect(ubl).toContain('<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"');
    expect(ubl).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
    expect(ubl).toContain(
      '<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>2026-000123</cbc:ID><cbc:IssueDate>2026-12-01</cbc:IssueDate>',
    );
    expect(ubl).toContain('<cac:CreditNoteLine>');
  });

  it('VAT on debits: BT-8 says VAT is due on the invoice’s date, and a TXD note says the option', async () => {
    const debits = await ciiOf();
    expect(debits).toContain('<ram:DueDateTypeCode>5</ram:DueDateTypeCode>');
    expect(notesOf(debits)).toContainEqual(['TXD', "Option pour le paiement de la TVA d'après les débits."]);
    expect(await ublOf()).toContain('<cbc:DescriptionCode>3</cbc:DescriptionCode>');
    const receipts = await ciiOf({ ...invoice, issuer: anIssuer({ vatOnDebits: false }) });
    expect(receipts).not.toContain('DueDateTypeCode');
    expect(notesOf(receipts).map(([code]) => code)).not.toContain('TXD');
  });

  it('every document of the representative set keeps every rule', () => {
    for (const entry of cases) {
      const header =
        entry.kind === 'invoice'
          ? mapInvoice(entry.invoice).header
          : creditNoteDocument(entry.creditNote, entry.invoice).header;
      expect(frenchRuleViolations(header), entry.name).toEqual([]);
    }
  });
});

/** The embedded file's dictionary and its inflated bytes, read straight from the PDF's objects. */
function embeddedFile(pdf: Buffer): { dictionary: string; xml: string } | undefined {
  const text = pdf.toString('latin1');
  const at = text.indexOf('/Type /EmbeddedFile');
  if (at < 0) return undefined;
  const start = text.indexOf('stream\n', at) + 'stream\n'.length;
  const end = text.indexOf('\nendstream', start);
  return {
    dictionary: text.slice(text.lastIndexOf(' obj', at), start),
    xml: inflateSync(pdf.subarray(start, end)).toString('utf8'),
  };
}

describe('Factur-X: the CII inside the PDF', () => {
  it('embeds factur-x.xml as an Alternative text/xml file, in /AF and the name tree, with the fx metadata', async () => {
    const pdf = await bytesOf(renderInvoicePdf(invoice, streamOf(orders)));
    const text = pdf.toString('latin1');
    const file = embeddedFile(pdf);
    expect(file?.dictionary).toContain('/Subtype /text#2Fxml');
    expect(file?.dictionary).toMatch(/\/Params <<[^>]*\/ModDate \(D:20261201000000Z\)/);
    expect(file?.xml).toBe(await ciiOf());
    expect(text).toMatch(
      /\/Type \/Filespec[\s\S]{0,200}\/F \(factur-x\.xml\)[\s\S]{0,200}\/AFRelationship \/Alternative/,
    );
    expect(text).toMatch(/\/Type \/Catalog[\s\S]*?\/AF \[\d+ 0 R\]/);
    expect(text).toMatch(/\/EmbeddedFiles <<\s*\/Names \[\s*\(factur-x\.xml\) \d+ 0 R/);
    for (const property of [
      '<fx:DocumentType>INVOICE</fx:DocumentType>',
      '<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>',
      '<fx:Version>1.0</fx:Version>',
      '<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>',
      '<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>',
      '<pdfaid:part>3</pdfaid:part>',
    ]) {
      expect(text).toContain(property);
    }
  });

  it('renders the same bytes twice, and a draft (a preview) with no e-invoice', async () => {
    const once = await bytesOf(renderInvoicePdf(invoice, streamOf(orders)));
    const twice = await bytesOf(renderInvoicePdf(invoice, streamOf(orders)));
    expect(once.equals(twice)).toBe(true);
    const { number: _number, issueDate: _date, ...draft } = invoice;
    const preview = await bytesOf(renderInvoicePdf({ ...draft, status: 'draft' }, streamOf(orders)));
    expect(embeddedFile(preview)).toBeUndefined();
  });

  it('embeds a big invoice’s CII whole, through the streaming deflater, and the same bytes twice', async () => {
    // About 1.1 kB of XML per order: 600 orders pass the 512 kB above which the text is deflated as it grows.
    const many = Array.from({ length: 600 }, (_, index) =>
      aStoredOrder(index, [aLine({ sku: `SKU-${index}`, quantity: 1 + (index % 4), unitPriceMinor: 2490 })]),
    );
    const big = anInvoice(invoiceFigures(many));
    const once = await bytesOf(renderInvoicePdf(big, streamOf(many)));
    const cii = await ciiOf(big, many);
    expect(cii.length).toBeGreaterThan(512 * 1024);
    expect(embeddedFile(once)?.xml).toBe(cii);
    expect(once.toString('latin1')).toContain(`/Size ${Buffer.byteLength(cii)}`);
    const twice = await bytesOf(renderInvoicePdf(big, streamOf(many)));
    expect(once.equals(twice)).toBe(true);
  }, 30_000);

  it('embeds the credit note’s CII (381) in its PDF', async () => {
    const creditNote = aCreditNote(invoice);
    const file = embeddedFile(await renderCreditNotePdf(creditNote, invoice));
    expect(file?.xml).toBe(await xml(writeCii, creditNoteDocument(creditNote, invoice)));
  });
});

describe('VAT categories on the PDF', () => {
  it('prints each category beside its rate in the VAT breakdown and the mention French law asks for', async () => {
    const entry = caseNamed<InvoiceCase>('invoice-categories');
    const { text } = await readPdf(await bytesOf(renderInvoicePdf(entry.invoice, streamOf(entry.orders))));
    const printed = plain(text);
    expect(printed).toContain('0 % exonéré | 450,00 € | 0,00 €');
    expect(printed).toContain('0 % autoliq. | 1 200,00 € | 0,00 €');
    expect(printed).toContain('Exonération de TVA, article 261-4-4° du CGI.');
    expect(printed).toContain('Autoliquidation.');
    const english = caseNamed<InvoiceCase>('invoice-intra-community');
    const { text: englishText } = await readPdf(
      await bytesOf(renderInvoicePdf(english.invoice, streamOf(english.orders))),
    );
    expect(plain(englishText)).toContain('0% intra-EU');
    expect(plain(englishText)).toContain(
      'Intra-community supply exempt from VAT, article 262 ter I of the French tax code (CGI).',
    );
  });
});

describe('the README sample', () => {
  it('docs/factur-x.xml is the sample invoice’s CII (npx tsx infra/local/sample-invoice.ts docs/factur-x.xml fr)', async () => {
    const cii = await xml(writeCii, invoiceDocument(sampleInvoice(), sampleOrders()));
    const sample = await readFile(new URL('../../../docs/factur-x.xml', import.meta.url), 'utf8');
    expect(sample).toBe(`${create(cii).end({ prettyPrint: true })}\n`);
  });
});
