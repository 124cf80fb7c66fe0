/**
 * OASIS UBL 2.1 Invoice (type 380) and CreditNote (type 381), with the EN 16931 binding. In UBL the
 * header (parties, VAT breakdown, totals) comes before the lines, so it is written from the header's
 * recorded figures first and each line follows as it streams; `end()` then checks the lines against those
 * figures. Element order follows the UBL 2.1 schemas.
 */
import { EN16931_SPECIFICATION } from './cii.js';
import { SIREN_SCHEME } from './french-rules.js';
import type {
  EInvoiceDocument,
  EInvoiceHeader,
  EInvoiceLine,
  EInvoiceParty,
  PostalAddress,
} from './model.js';
import { amountFormatter, decimal, element, escapeXml, LineTally, type XmlSink } from './xml.js';

const CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';
const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';

/** What differs between an Invoice and a CreditNote document. */
const SHAPES = {
  '380': {
    root: 'Invoice',
    namespace: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
    typeCode: 'cbc:InvoiceTypeCode',
    line: 'cac:InvoiceLine',
    quantity: 'cbc:InvoicedQuantity',
  },
  '381': {
    root: 'CreditNote',
    namespace: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
    typeCode: 'cbc:CreditNoteTypeCode',
    line: 'cac:CreditNoteLine',
    quantity: 'cbc:CreditedQuantity',
  },
} as const;

/**
 * Writes one document as UBL, line by line: `begin()` (everything but the lines), `line()` for each line,
 * `end()`. Throws (`EInvoiceError`) at `end()` if the lines do not add up to the header.
 */
export class UblWriter {
  private readonly amount: (amountMinor: number) => string;
  private readonly currency: string;
  private readonly shape: (typeof SHAPES)[keyof typeof SHAPES];
  private readonly tally: LineTally;

  constructor(
    private readonly header: EInvoiceHeader,
    private readonly sink: XmlSink,
  ) {
    const format = amountFormatter(header.currency);
    this.currency = ` currencyID="${escapeXml(header.currency)}"`;
    this.amount = format;
    this.shape = SHAPES[header.typeCode];
    this.tally = new LineTally(header);
  }

  /** `<cbc:X currencyID="EUR">1234.05</cbc:X>` */
  private money(name: string, amountMinor: number): string {
    return element(name, this.amount(amountMinor), this.currency);
  }

  begin(): void {
    const { header, shape } = this;
    const isInvoice = header.typeCode === '380';
    const totals = header.totals;
    const taxCategory = (
      category: string,
      ratePercent: number,
      exemption?: { code: string; reason: string },
    ) =>
      '<cac:TaxCategory>' +
      element('cbc:ID', category) +
      element('cbc:Percent', decimal(ratePercent)) +
      (exemption
        ? element('cbc:TaxExemptionReasonCode', exemption.code) +
          element('cbc:TaxExemptionReason', exemption.reason)
        : '') +
      '<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>';
    this.sink(
      `<?xml version="1.0" encoding="UTF-8"?>\n<${shape.root} xmlns="${shape.namespace}" xmlns:cac="${CAC}" xmlns:cbc="${CBC}">` +
        element('cbc:CustomizationID', EN16931_SPECIFICATION) +
        element('cbc:ProfileID', header.billingFramework) +
        element('cbc:ID', header.number) +
        element('cbc:IssueDate', header.issueDate) +
        (isInvoice && header.dueDate ? element('cbc:DueDate', header.dueDate) : '') +
        element(shape.typeCode, header.typeCode) +
        // BT-21 travels in UBL as a `#CODE#` prefix of the note's text (EN 16931 UBL binding).
        header.notes
          .map((note) =>
            element('cbc:Note', note.subjectCode ? `#${note.subjectCode}#${note.text}` : note.text),
          )
          .join('') +
        element('cbc:DocumentCurrencyCode', header.currency) +
        (header.period || header.vatDueOnIssue
          ? '<cac:InvoicePeriod>' +
            (header.period
              ? element('cbc:StartDate', header.period.startDate) +
                element('cbc:EndDate', header.period.endDate)
              : '') +
            // BT-8: 3, VAT due on the invoice's issue date (the VAT-on-debits option; CII says 5).
            (header.vatDueOnIssue ? '<cbc:DescriptionCode>3</cbc:DescriptionCode>' : '') +
            '</cac:InvoicePeriod>'
          : '') +
        (header.purchaseOrder
          ? `<cac:OrderReference>${element('cbc:ID', header.purchaseOrder)}</cac:OrderReference>`
          : '') +
        (header.precedingInvoice
          ? '<cac:BillingReference><cac:InvoiceDocumentReference>' +
            element('cbc:ID', header.precedingInvoice.number) +
            element('cbc:IssueDate', header.precedingInvoice.issueDate) +
            '</cac:InvoiceDocumentReference></cac:BillingReference>'
          : '') +
        `<cac:AccountingSupplierParty>${party(header.seller, true)}</cac:AccountingSupplierParty>` +
        `<cac:AccountingCustomerParty>${party(header.buyer, false)}</cac:AccountingCustomerParty>` +
        (header.deliverTo
          ? `<cac:Delivery><cac:DeliveryLocation>${address('cac:Address', header.deliverTo)}</cac:DeliveryLocation></cac:Delivery>`
          : '') +
        (header.payment
          ? '<cac:PaymentMeans>' +
            element('cbc:PaymentMeansCode', header.payment.meansCode) +
            element('cbc:PaymentID', header.payment.remittance) +
            '<cac:PayeeFinancialAccount>' +
            element('cbc:ID', header.payment.iban) +
            (header.payment.bic
              ? `<cac:FinancialInstitutionBranch>${element('cbc:ID', header.payment.bic)}</cac:FinancialInstitutionBranch>`
              : '') +
            '</cac:PayeeFinancialAccount></cac:PaymentMeans>'
          : '') +
        (header.paymentTerms
          ? `<cac:PaymentTerms>${element('cbc:Note', header.paymentTerms)}</cac:PaymentTerms>`
          : '') +
        '<cac:TaxTotal>' +
        this.money('cbc:TaxAmount', totals.vatMinor) +
        header.vatBreakdown
          .map(
            (entry) =>
              '<cac:TaxSubtotal>' +
              this.money('cbc:TaxableAmount', entry.baseMinor) +
              this.money('cbc:TaxAmount', entry.vatMinor) +
              taxCategory(entry.category, entry.ratePercent, entry.exemption) +
              '</cac:TaxSubtotal>',
          )
          .join('') +
        '</cac:TaxTotal>' +
        '<cac:LegalMonetaryTotal>' +
        this.money('cbc:LineExtensionAmount', totals.lineNetMinor) +
        this.money('cbc:TaxExclusiveAmount', totals.taxExclusiveMinor) +
        this.money('cbc:TaxInclusiveAmount', totals.taxInclusiveMinor) +
        (totals.prepaidMinor !== 0 ? this.money('cbc:PrepaidAmount', totals.prepaidMinor) : '') +
        this.money('cbc:PayableAmount', totals.payableMinor) +
        '</cac:LegalMonetaryTotal>',
    );
  }

  line(line: EInvoiceLine): void {
    this.tally.add(line);
    const { shape } = this;
    const unit = ` unitCode="${escapeXml(line.unitCode)}"`;
    this.sink(
      `<${shape.line}>` +
        element('cbc:ID', line.id) +
        (line.note ? element('cbc:Note', line.note) : '') +
        element(shape.quantity, decimal(line.quantity), unit) +
        this.money('cbc:LineExtensionAmount', line.netMinor) +
        '<cac:Item>' +
        element('cbc:Name', line.name) +
        (line.sellerItemId
          ? `<cac:SellersItemIdentification>${element('cbc:ID', line.sellerItemId)}</cac:SellersItemIdentification>`
          : '') +
        '<cac:ClassifiedTaxCategory>' +
        element('cbc:ID', line.category) +
        element('cbc:Percent', decimal(line.ratePercent)) +
        '<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>' +
        '</cac:Item>' +
        '<cac:Price>' +
        this.money('cbc:PriceAmount', line.priceMinor) +
        (line.baseQuantity === undefined
          ? ''
          : element('cbc:BaseQuantity', decimal(line.baseQuantity), unit)) +
        '</cac:Price>' +
        `</${shape.line}>`,
    );
  }

  end(): void {
    this.tally.check();
    this.sink(`</${this.shape.root}>\n`);
  }
}

function address(name: string, address: PostalAddress): string {
  return (
    `<${name}>` +
    element('cbc:StreetName', address.line1) +
    (address.line2 ? element('cbc:AdditionalStreetName', address.line2) : '') +
    element('cbc:CityName', address.city) +
    element('cbc:PostalZone', address.postalCode) +
    (address.region ? element('cbc:CountrySubentity', address.region) : '') +
    `<cac:Country>${element('cbc:IdentificationCode', address.country)}</cac:Country>` +
    `</${name}>`
  );
}

function party(party: EInvoiceParty, seller: boolean): string {
  return (
    '<cac:Party>' +
    element(
      'cbc:EndpointID',
      party.electronicAddress.id,
      ` schemeID="${escapeXml(party.electronicAddress.scheme)}"`,
    ) +
    address('cac:PostalAddress', party.address) +
    (party.vatId
      ? `<cac:PartyTaxScheme>${element('cbc:CompanyID', party.vatId)}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`
      : '') +
    '<cac:PartyLegalEntity>' +
    element('cbc:RegistrationName', party.name) +
    (party.siren ? element('cbc:CompanyID', party.siren, ` schemeID="${SIREN_SCHEME}"`) : '') +
    (seller && party.additionalLegalInfo ? element('cbc:CompanyLegalForm', party.additionalLegalInfo) : '') +
    '</cac:PartyLegalEntity>' +
    '</cac:Party>'
  );
}

/** Writes a whole document as UBL into `sink`, reading its lines as they come. */
export async function writeUbl(document: EInvoiceDocument, sink: XmlSink): Promise<void> {
  const writer = new UblWriter(document.header, sink);
  writer.begin();
  for await (const line of document.lines) writer.line(line);
  writer.end();
}
