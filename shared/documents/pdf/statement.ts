/**
 * The buyer's statement of account as a PDF (PDF/A-3b, French or English), drawn with the invoices' page
 * kit (kit.ts): the issuer's header, the customer's panel, the open items one row each with their payment
 * reference, the balance per aging bucket adding up to the open balance, and how to pay (IBAN, BIC, the
 * statement's own structured reference). Its figures are the statement's, never recomputed.
 */
import type { Statement } from '../../contracts/schemas/buyer-api.js';
import type { InvoiceIssuer } from '../../contracts/schemas/invoice.js';
import { AGING_BUCKETS } from '../../core/domain/statement.js';
import { INK, MUTED } from '../palette.js';
import { type Catalogue, catalogueFor } from '../texts/catalogue.js';
import { type Address, formatAddress, formatIban, formatLocalDate } from '../texts/format.js';
import type { DocumentFonts } from './fonts.js';
import { footerIdentity, issuerIdentity, openPdf, PdfLayout, X0, X1 } from './kit.js';

/** Who the statement is for, as its panel prints it. */
export interface StatementCustomer {
  legalName: string;
  billingAddress: Address;
}

/** Renders the statement; the same inputs give the same bytes. */
export async function renderStatementPdf(
  statement: Statement,
  issuer: InvoiceIssuer,
  customer: StatementCustomer,
  language: 'fr' | 'en',
  options: { fontDir?: string } = {},
): Promise<Buffer> {
  const texts = catalogueFor(language);
  const { doc, fonts } = openPdf({
    texts,
    title: `${texts.statement.documentName} ${statement.asOf}`,
    author: issuer.legalName,
    date: statement.asOf,
    fontDir: options.fontDir,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  new StatementLayout(doc, statement, issuer, customer, texts, fonts).render();
  doc.end();
  return finished;
}

/** Right edges of the numeric columns and left edges of the others, in points. */
const COLUMNS = {
  number: X0,
  issueDate: X0 + 78,
  dueDate: X0 + 138,
  daysPastDue: X0 + 232,
  amountDue: X0 + 302,
  balance: X0 + 372,
  reference: X0 + 384,
} as const;
const ROW = 13;

class StatementLayout extends PdfLayout {
  constructor(
    doc: PDFKit.PDFDocument,
    private readonly statement: Statement,
    private readonly issuer: InvoiceIssuer,
    private readonly customer: StatementCustomer,
    texts: Catalogue,
    fonts: DocumentFonts,
  ) {
    const reference = `${texts.statement.documentName} · ${formatLocalDate(statement.asOf, texts.language)}`;
    super(doc, texts, fonts, {
      currency: statement.currency,
      issuerName: issuer.legalName,
      reference,
      continuedTitle: reference,
      footerIdentity: [footerIdentity(issuer, texts, true), footerIdentity(issuer, texts, false)],
      columns: {},
    });
  }

  render(): void {
    const { statement, texts } = this;
    const words = texts.statement;
    this.header({
      issuerName: this.issuer.legalName,
      identity: issuerIdentity(this.issuer, texts),
      title: words.title,
      facts: [[words.asOf, this.date(statement.asOf)]],
    });
    this.panels([
      {
        label: words.customer,
        name: this.customer.legalName,
        groups: [formatAddress(this.customer.billingAddress, texts.language)],
      },
    ]);

    this.sectionTitle(words.openItems);
    if (statement.items.length === 0) {
      this.paragraph(words.noOpenItems, 10);
    } else {
      this.itemsHeader();
      for (const item of statement.items) {
        const page = this.page;
        this.keepTogether(ROW);
        if (this.page !== page) this.itemsHeader();
        this.style('regular', 7.5, INK);
        this.put(item.number, COLUMNS.number, this.y);
        this.put(this.date(item.issueDate), COLUMNS.issueDate, this.y);
        this.put(this.date(item.dueDate), COLUMNS.dueDate, this.y);
        this.putRight(String(item.daysPastDue), COLUMNS.daysPastDue, this.y);
        this.putRight(this.money(item.amountDueMinor), COLUMNS.amountDue, this.y);
        this.putRight(this.money(item.balanceMinor), COLUMNS.balance, this.y);
        this.put(item.creditorReference, COLUMNS.reference, this.y);
        this.y += ROW;
      }
      this.rule(this.y);
      this.y += 10;
    }

    // The aging: each bucket, then the open balance they add up to.
    this.keepTogether(ROW * (AGING_BUCKETS.length + 1) + 40);
    this.sectionTitle(words.aging);
    for (const bucket of AGING_BUCKETS) {
      this.style('regular', 8, INK);
      this.put(words.buckets[bucket], X0, this.y);
      this.putRight(this.money(statement.totals[bucket]), COLUMNS.balance, this.y);
      this.y += ROW;
    }
    this.rule(this.y - 2, undefined, 0.4, X0, COLUMNS.balance);
    this.style('bold', 9, INK);
    this.put(words.openBalance, X0, this.y + 2);
    this.putRight(this.money(statement.totals.totalMinor), COLUMNS.balance, this.y + 2);
    this.y += ROW + 14;

    // How to pay.
    const { payment } = statement;
    const lines = [
      `${words.payee} : ${payment.payee}`,
      ...(payment.iban ? [`${texts.invoice.iban} : ${formatIban(payment.iban)}`] : []),
      ...(payment.bic ? [`${texts.invoice.bic} : ${payment.bic}`] : []),
      `${words.statementReference} : ${payment.statementCreditorReference}`,
    ].map((line) => (texts.language === 'en' ? line.replace(' : ', ': ') : line));
    const hintHeight = this.paragraphHeight(words.referenceHint);
    this.keepTogether(16 + lines.length * ROW + hintHeight + 8);
    this.sectionTitle(words.payment);
    for (const line of lines) this.paragraph(line);
    this.y += 4;
    this.paragraph(words.referenceHint);
    this.footer();
  }

  private itemsHeader(): void {
    const columns = this.texts.statement.columns;
    this.style('bold', 7, MUTED);
    this.put(columns.number, COLUMNS.number, this.y);
    this.put(columns.issueDate, COLUMNS.issueDate, this.y);
    this.put(columns.dueDate, COLUMNS.dueDate, this.y);
    this.putRight(columns.daysPastDue, COLUMNS.daysPastDue, this.y);
    this.putRight(columns.amountDue, COLUMNS.amountDue, this.y);
    this.putRight(columns.balance, COLUMNS.balance, this.y);
    this.put(columns.reference, COLUMNS.reference, this.y);
    this.y += ROW;
    this.rule(this.y - 3, undefined, 0.4, X0, X1);
  }
}
