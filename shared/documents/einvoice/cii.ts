/**
 * UN/CEFACT Cross Industry Invoice (D16B), as Factur-X 1.09 defines its EN 16931 profile (the XML embedded
 * in our PDFs as `factur-x.xml`). In CII the lines come before the header's agreement, delivery and
 * settlement, so the document is written in one pass: its opening, each line as it streams, its closing.
 * Element order follows the Factur-X EN 16931 schema.
 */
import { SIREN_SCHEME } from './french-rules.js';
import type {
  EInvoiceDocument,
  EInvoiceHeader,
  EInvoiceLine,
  EInvoiceParty,
  PostalAddress,
} from './model.js';
import { amountFormatter, decimal, element, escapeXml, LineTally, type XmlSink } from './xml.js';

/** BT-24: the EN 16931 specification itself (Factur-X's EN 16931 profile). */
export const EN16931_SPECIFICATION = 'urn:cen.eu:en16931:2017';

const NAMESPACES =
  ' xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"' +
  ' xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"' +
  ' xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"' +
  ' xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"';

/** `2026-12-01` → format 102, `20261201`. */
const date102 = (localDate: string) => localDate.replaceAll('-', '');

/**
 * Writes one document as CII, line by line: `begin()`, `line()` for each line in order, `end()`. Throws
 * (`EInvoiceError`) at `end()` if the lines do not add up to the header.
 */
export class CiiWriter {
  private readonly amount: (amountMinor: number) => string;
  private readonly tally: LineTally;

  constructor(
    private readonly header: EInvoiceHeader,
    private readonly sink: XmlSink,
  ) {
    this.amount = amountFormatter(header.currency);
    this.tally = new LineTally(header);
  }

  begin(): void {
    const { header } = this;
    const notes = header.notes
      .map(
        (note) =>
          `<ram:IncludedNote>${element('ram:Content', note.text)}${
            note.subjectCode ? element('ram:SubjectCode', note.subjectCode) : ''
          }</ram:IncludedNote>`,
      )
      .join('');
    this.sink(
      `<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice${NAMESPACES}>` +
        '<rsm:ExchangedDocumentContext>' +
        `<ram:BusinessProcessSpecifiedDocumentContextParameter>${element('ram:ID', header.billingFramework)}</ram:BusinessProcessSpecifiedDocumentContextParameter>` +
        `<ram:GuidelineSpecifiedDocumentContextParameter>${element('ram:ID', EN16931_SPECIFICATION)}</ram:GuidelineSpecifiedDocumentContextParameter>` +
        '</rsm:ExchangedDocumentContext>' +
        '<rsm:ExchangedDocument>' +
        element('ram:ID', header.number) +
        element('ram:TypeCode', header.typeCode) +
        `<ram:IssueDateTime><udt:DateTimeString format="102">${date102(header.issueDate)}</udt:DateTimeString></ram:IssueDateTime>` +
        notes +
        '</rsm:ExchangedDocument>' +
        '<rsm:SupplyChainTradeTransaction>',
    );
  }

  line(line: EInvoiceLine): void {
    this.tally.add(line);
    const unit = ` unitCode="${escapeXml(line.unitCode)}"`;
    this.sink(
      '<ram:IncludedSupplyChainTradeLineItem>' +
        `<ram:AssociatedDocumentLineDocument>${element('ram:LineID', line.id)}${
          line.note ? `<ram:IncludedNote>${element('ram:Content', line.note)}</ram:IncludedNote>` : ''
        }</ram:AssociatedDocumentLineDocument>` +
        '<ram:SpecifiedTradeProduct>' +
        (line.sellerItemId ? element('ram:SellerAssignedID', line.sellerItemId) : '') +
        element('ram:Name', line.name) +
        '</ram:SpecifiedTradeProduct>' +
        '<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice>' +
        element('ram:ChargeAmount', this.amount(line.priceMinor)) +
        (line.baseQuantity === undefined
          ? ''
          : element('ram:BasisQuantity', decimal(line.baseQuantity), unit)) +
        '</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>' +
        `<ram:SpecifiedLineTradeDelivery>${element('ram:BilledQuantity', decimal(line.quantity), unit)}</ram:SpecifiedLineTradeDelivery>` +
        '<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode>' +
        element('ram:CategoryCode', line.category) +
        element('ram:RateApplicablePercent', decimal(line.ratePercent)) +
        '</ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation>' +
        element('ram:LineTotalAmount', this.amount(line.netMinor)) +
        '</ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>' +
        '</ram:IncludedSupplyChainTradeLineItem>',
    );
  }

  end(): void {
    this.tally.check();
    const { header, amount } = this;
    const currency = escapeXml(header.currency);
    const payment = header.payment
      ? '<ram:SpecifiedTradeSettlementPaymentMeans>' +
        element('ram:TypeCode', header.payment.meansCode) +
        `<ram:PayeePartyCreditorFinancialAccount>${element('ram:IBANID', header.payment.iban)}</ram:PayeePartyCreditorFinancialAccount>` +
        (header.payment.bic
          ? `<ram:PayeeSpecifiedCreditorFinancialInstitution>${element('ram:BICID', header.payment.bic)}</ram:PayeeSpecifiedCreditorFinancialInstitution>`
          : '') +
        '</ram:SpecifiedTradeSettlementPaymentMeans>'
      : '';
    const taxes = header.vatBreakdown
      .map(
        (entry) =>
          '<ram:ApplicableTradeTax>' +
          element('ram:CalculatedAmount', amount(entry.vatMinor)) +
          '<ram:TypeCode>VAT</ram:TypeCode>' +
          (entry.exemption ? element('ram:ExemptionReason', entry.exemption.reason) : '') +
          element('ram:BasisAmount', amount(entry.baseMinor)) +
          element('ram:CategoryCode', entry.category) +
          (entry.exemption ? element('ram:ExemptionReasonCode', entry.exemption.code) : '') +
          // BT-8: 5, VAT due on the invoice's date (the VAT-on-debits option).
          (header.vatDueOnIssue ? '<ram:DueDateTypeCode>5</ram:DueDateTypeCode>' : '') +
          element('ram:RateApplicablePercent', decimal(entry.ratePercent)) +
          '</ram:ApplicableTradeTax>',
      )
      .join('');
    const totals = header.totals;
    this.sink(
      '<ram:ApplicableHeaderTradeAgreement>' +
        party('ram:SellerTradeParty', header.seller, true) +
        party('ram:BuyerTradeParty', header.buyer, false) +
        (header.purchaseOrder
          ? `<ram:BuyerOrderReferencedDocument>${element('ram:IssuerAssignedID', header.purchaseOrder)}</ram:BuyerOrderReferencedDocument>`
          : '') +
        '</ram:ApplicableHeaderTradeAgreement>' +
        '<ram:ApplicableHeaderTradeDelivery>' +
        (header.deliverTo
          ? `<ram:ShipToTradeParty>${postalAddress(header.deliverTo)}</ram:ShipToTradeParty>`
          : '') +
        '</ram:ApplicableHeaderTradeDelivery>' +
        '<ram:ApplicableHeaderTradeSettlement>' +
        (header.payment ? element('ram:PaymentReference', header.payment.remittance) : '') +
        element('ram:InvoiceCurrencyCode', header.currency) +
        payment +
        taxes +
        (header.period
          ? '<ram:BillingSpecifiedPeriod>' +
            `<ram:StartDateTime><udt:DateTimeString format="102">${date102(header.period.startDate)}</udt:DateTimeString></ram:StartDateTime>` +
            `<ram:EndDateTime><udt:DateTimeString format="102">${date102(header.period.endDate)}</udt:DateTimeString></ram:EndDateTime>` +
            '</ram:BillingSpecifiedPeriod>'
          : '') +
        (header.paymentTerms || header.dueDate
          ? '<ram:SpecifiedTradePaymentTerms>' +
            (header.paymentTerms ? element('ram:Description', header.paymentTerms) : '') +
            (header.dueDate
              ? `<ram:DueDateDateTime><udt:DateTimeString format="102">${date102(header.dueDate)}</udt:DateTimeString></ram:DueDateDateTime>`
              : '') +
            '</ram:SpecifiedTradePaymentTerms>'
          : '') +
        '<ram:SpecifiedTradeSettlementHeaderMonetarySummation>' +
        element('ram:LineTotalAmount', amount(totals.lineNetMinor)) +
        element('ram:TaxBasisTotalAmount', amount(totals.taxExclusiveMinor)) +
        element('ram:TaxTotalAmount', amount(totals.vatMinor), ` currencyID="${currency}"`) +
        element('ram:GrandTotalAmount', amount(totals.taxInclusiveMinor)) +
        (totals.prepaidMinor !== 0 ? element('ram:TotalPrepaidAmount', amount(totals.prepaidMinor)) : '') +
        element('ram:DuePayableAmount', amount(totals.payableMinor)) +
        '</ram:SpecifiedTradeSettlementHeaderMonetarySummation>' +
        (header.precedingInvoice
          ? '<ram:InvoiceReferencedDocument>' +
            element('ram:IssuerAssignedID', header.precedingInvoice.number) +
            `<ram:FormattedIssueDateTime><qdt:DateTimeString format="102">${date102(header.precedingInvoice.issueDate)}</qdt:DateTimeString></ram:FormattedIssueDateTime>` +
            '</ram:InvoiceReferencedDocument>'
          : '') +
        '</ram:ApplicableHeaderTradeSettlement>' +
        '</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>\n',
    );
  }
}

function postalAddress(address: PostalAddress): string {
  return (
    '<ram:PostalTradeAddress>' +
    element('ram:PostcodeCode', address.postalCode) +
    element('ram:LineOne', address.line1) +
    (address.line2 ? element('ram:LineTwo', address.line2) : '') +
    element('ram:CityName', address.city) +
    element('ram:CountryID', address.country) +
    (address.region ? element('ram:CountrySubDivisionName', address.region) : '') +
    '</ram:PostalTradeAddress>'
  );
}

function party(name: string, party: EInvoiceParty, seller: boolean): string {
  return (
    `<${name}>` +
    element('ram:Name', party.name) +
    (seller && party.additionalLegalInfo ? element('ram:Description', party.additionalLegalInfo) : '') +
    (party.siren
      ? `<ram:SpecifiedLegalOrganization>${element('ram:ID', party.siren, ` schemeID="${SIREN_SCHEME}"`)}</ram:SpecifiedLegalOrganization>`
      : '') +
    postalAddress(party.address) +
    `<ram:URIUniversalCommunication>${element(
      'ram:URIID',
      party.electronicAddress.id,
      ` schemeID="${escapeXml(party.electronicAddress.scheme)}"`,
    )}</ram:URIUniversalCommunication>` +
    (party.vatId
      ? `<ram:SpecifiedTaxRegistration>${element('ram:ID', party.vatId, ' schemeID="VA"')}</ram:SpecifiedTaxRegistration>`
      : '') +
    `</${name}>`
  );
}

/** Writes a whole document as CII into `sink`, reading its lines as they come. */
export async function writeCii(document: EInvoiceDocument, sink: XmlSink): Promise<void> {
  const writer = new CiiWriter(document.header, sink);
  writer.begin();
  for await (const line of document.lines) writer.line(line);
  writer.end();
}
