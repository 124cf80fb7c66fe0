/**
 * The credit note (avoir) PDF as buyers receive it: PDF/A-3b in the invoice's language, drawn with the
 * invoice's page kit (kit.ts): the same header, parties' panel, table of lines under their orders, VAT
 * breakdown with totals, and footer. The figures are the credit note's own (lines, VAT per rate, totals),
 * never recomputed. It names the invoice it corrects and says the amount comes off that invoice's balance
 * (the credit is applied to it: see docs/ARCHITECTURE.md, Receivables).
 */
import type { CreditNote, CreditNoteLine } from '../../contracts/schemas/credit-note.js';
import { type CreditedInvoiceTerms, creditNoteDocument } from '../einvoice/mapping.js';
import type { EInvoiceVatBreakdown } from '../einvoice/model.js';
import { type Catalogue, catalogueFor } from '../texts/catalogue.js';
import { labelled, singleLine, unbreakable } from '../texts/format.js';
import { vatExemptionMentions, vatRows } from '../texts/mentions.js';
import { embedFacturX } from './factur-x.js';
import type { DocumentFonts } from './fonts.js';
import { buyerIdentity, footerIdentity, issuerIdentity, openPdf, PdfLayout } from './kit.js';

/**
 * The invoice fields a credit note's documents need: who issues, who is credited, in which language, and
 * the invoice's terms its e-invoice repeats (category of operation, late-payment penalty).
 */
export type CreditedInvoice = CreditedInvoiceTerms;

/**
 * Renders the credit note's PDF (PDF/A-3b, DejaVu embedded), deterministic for the same inputs: a
 * Factur-X, its CII (type 381, naming the invoice it corrects) embedded as `factur-x.xml`.
 */
export async function renderCreditNotePdf(
  creditNote: CreditNote,
  invoice: CreditedInvoice,
  options: { fontDir?: string } = {},
): Promise<Buffer> {
  const einvoice = creditNoteDocument(creditNote, invoice);
  const texts = catalogueFor(invoice.language);
  const { doc, fonts } = openPdf({
    texts,
    title: `${texts.creditNote.documentName} ${creditNote.number}`,
    author: invoice.issuer.legalName,
    date: creditNote.issueDate,
    fontDir: options.fontDir,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new CreditNoteLayout(doc, creditNote, invoice, texts, fonts, einvoice.header.vatBreakdown).render();
  embedFacturX(doc, einvoice.header, einvoice.lines);
  doc.end();
  return finished;
}

/** Lays one credit note out: header, customer, reason, lines by order, VAT and totals, where it goes. */
class CreditNoteLayout extends PdfLayout {
  constructor(
    doc: PDFKit.PDFDocument,
    private readonly creditNote: CreditNote,
    private readonly invoice: CreditedInvoice,
    texts: Catalogue,
    fonts: DocumentFonts,
    /** The VAT breakdown per category and rate, as the credit note's e-invoice carries it. */
    private readonly breakdown: readonly EInvoiceVatBreakdown[],
  ) {
    const reference = `${texts.creditNote.documentName} ${texts.document.numberSign} ${creditNote.number}`;
    super(doc, texts, fonts, {
      currency: creditNote.currency,
      issuerName: invoice.issuer.legalName,
      reference,
      continuedTitle: reference,
      footerIdentity: [footerIdentity(invoice.issuer, texts, false)],
      columns: texts.creditNote.columns,
    });
  }

  render(): void {
    const { creditNote, invoice, texts } = this;
    const words = texts.creditNote;
    this.header({
      issuerName: invoice.issuer.legalName,
      identity: issuerIdentity(invoice.issuer, texts),
      title: words.title,
      number: `${texts.document.numberSign} ${creditNote.number}`,
      facts: [[texts.document.issueDate, this.date(creditNote.issueDate)]],
      remarks: [words.corrects(creditNote.invoiceNumber, this.date(creditNote.invoiceIssueDate))],
    });
    this.panels([
      { label: words.customer, name: invoice.buyer.legalName, groups: [buyerIdentity(invoice.buyer, texts)] },
    ]);
    this.paragraph(labelled(words.reason, creditNote.reason, this.lang), 10);

    this.tableHeader();
    // Each order's lines under its heading, orders in the order they were first credited.
    const byOrder = new Map<string, CreditNoteLine[]>();
    for (const line of creditNote.lines) {
      byOrder.set(line.orderId, [...(byOrder.get(line.orderId) ?? []), line]);
    }
    for (const lines of byOrder.values()) {
      const [first] = lines as [CreditNoteLine];
      this.orderLines(this.orderHeading(this.orderTitle(first), ''), lines);
    }

    // VAT per rate, totals, and where the credit goes, kept together.
    const applied = words.applied(this.money(creditNote.appliedMinor), creditNote.invoiceNumber);
    const mentions = vatExemptionMentions(this.breakdown);
    const rows = vatRows(this.breakdown, texts);
    const textHeight = [applied, ...mentions].reduce((sum, text) => sum + this.paragraphHeight(text), 0);
    this.keepTogether(this.vatAndTotalsHeight(rows.length, 2) + textHeight);
    this.vatAndTotals(
      rows,
      [
        [texts.document.totalNet, creditNote.totals.netMinor],
        [texts.document.totalVat, creditNote.totals.vatMinor],
      ],
      [words.totalCredit, creditNote.totals.grossMinor],
    );
    this.paragraph(applied);
    for (const mention of mentions) this.paragraph(mention);
    this.footer();
  }

  /** "Commande SHOP-100234 du 04/11/2026"; by the order's id for a line credited before those were kept. */
  private orderTitle(line: CreditNoteLine): string {
    const { texts } = this;
    if (!line.orderReference) return texts.creditNote.orderById(line.orderId);
    const reference = unbreakable(singleLine(line.orderReference));
    return line.orderDate
      ? texts.document.order(reference, this.date(line.orderDate))
      : texts.creditNote.orderById(reference);
  }
}
