/**
 * The invoice PDF: A4, PDF/A-3b, DejaVu Sans embedded, rendered while the orders stream in, with the page
 * kit (kit.ts). An issued invoice is a Factur-X (EN 16931 profile): its CII XML is written during the same
 * pass over the orders and embedded as `factur-x.xml` (factur-x.ts); a draft (a preview) has none. The renderer prints the
 * invoice's own figures and each line's stored net; it never recomputes a total (invariant 7). It does
 * check that the streamed orders are the invoice's (counts and per-rate bases), so a PDF can never
 * disagree with itself.
 */
import { PassThrough, type Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import type { Order } from '../../contracts/schemas/order.js';
import { type InvoiceMapping, mapInvoice } from '../einvoice/mapping.js';
import { ACCENT, INK, WHITE } from '../palette.js';
import { type Catalogue, catalogueFor } from '../texts/catalogue.js';
import {
  formatAddress,
  formatIban,
  formatLocalDate,
  labelled,
  labelledIdentifier,
  localDateOf,
  oneLineAddress,
  singleLine,
  unbreakable,
} from '../texts/format.js';
import { legalMentions, supplyCategoryMention, vatExemptionMentions, vatRows } from '../texts/mentions.js';
import { StreamingFacturX } from './factur-x.js';
import type { DocumentFonts } from './fonts.js';
import {
  BODY_SIZE,
  buyerIdentity,
  CONTENT_WIDTH,
  footerIdentity,
  issuerIdentity,
  type OrderHeading,
  openPdf,
  PdfLayout,
  TABLE_SIZE,
  X0,
  X1,
} from './kit.js';

interface RenderInvoicePdfOptions {
  /** Directory holding DejaVuSans.ttf and DejaVuSans-Bold.ttf. Default: INVOICE_FONT_DIR, then the package. */
  fontDir?: string;
}

/** The orders streamed to the renderer do not match the invoice, or the PDF could not be produced. */
export class InvoiceRenderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvoiceRenderError';
  }
}

/** The rendered PDF's buffer: the renderer waits for the reader beyond it. */
const OUTPUT_BUFFER_BYTES = 16 * 1024;

/**
 * Renders an invoice as a PDF stream. The orders are read one at a time as the caller pages them in from
 * the table, and each is written (and its pages flushed) before the next is read; the renderer waits
 * while the consumer of the stream is behind, so memory stays flat whatever the number of orders. Never
 * collect the orders in an array before calling this.
 *
 * The output is deterministic (metadata dated with the issue date), so a retried render gives the same
 * bytes. Unreadable fonts throw at once; a failure while rendering (orders that are not the invoice's, a
 * failing order source, a missing ICC profile) errors the returned stream.
 */
export function renderInvoicePdf(
  invoice: Invoice,
  orders: AsyncIterable<Order>,
  options: RenderInvoicePdfOptions = {},
): Readable {
  const texts = catalogueFor(invoice.language);
  const words = texts.invoice;
  const period = words.periodRange(
    formatLocalDate(invoice.period.startDate, invoice.language),
    formatLocalDate(invoice.period.endDate, invoice.language),
  );
  const { doc, fonts } = openPdf({
    texts,
    title: invoice.number ? `${words.documentName} ${invoice.number}` : words.draftTitle,
    author: invoice.issuer.legalName,
    subject: `${invoice.buyer.legalName} — ${words.period} ${period}`,
    date: invoice.issueDate ?? invoice.createdAt.slice(0, 10),
    fontDir: options.fontDir,
  });
  // How far the renderer runs ahead of a slow reader, stated: Node 22 (the Lambda runtime) raised the
  // default buffer from 16 KiB to 64 KiB, which would let it hold four times as many orders in memory.
  const output = new PassThrough({ highWaterMark: OUTPUT_BUFFER_BYTES });
  doc.pipe(output);
  const layout = new InvoiceLayout(doc, invoice, texts, fonts);
  const abandon = (error?: Error) => {
    layout.abandon();
    doc.unpipe(output);
    doc.destroy();
    if (error) output.destroy(error);
  };
  layout.render(orders, output).then(
    // The consumer went away (an aborted upload): drop the document too.
    () => (output.destroyed ? abandon() : undefined),
    (error: unknown) => abandon(error instanceof Error ? error : new InvoiceRenderError(String(error))),
  );
  return output;
}

function waitForDrain(output: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      output.off('drain', done);
      output.off('close', done);
      resolve();
    };
    output.on('drain', done);
    output.on('close', done);
  });
}

/** Lays one invoice out on pages: header, parties, amount due, orders, totals, payment, legal mentions. */
class InvoiceLayout extends PdfLayout {
  private ordersSeen = 0;
  private linesSeen = 0;
  /** Line nets per `<category> <rate> %`, checked against the invoice's breakdown at the end. */
  private readonly basesSeen = new Map<string, number>();
  /** The e-invoice of an issued invoice, mapped and written as the orders stream. */
  private einvoice: { mapping: InvoiceMapping; facturX: StreamingFacturX } | undefined;

  constructor(
    doc: PDFKit.PDFDocument,
    private readonly invoice: Invoice,
    texts: Catalogue,
    fonts: DocumentFonts,
  ) {
    const words = texts.invoice;
    super(doc, texts, fonts, {
      currency: invoice.currency,
      issuerName: invoice.issuer.legalName,
      reference: invoice.number
        ? `${words.documentName} ${texts.document.numberSign} ${invoice.number}`
        : words.draftTitle,
      continuedTitle: invoice.number ? words.continuedHeader(invoice.number) : words.draftTitle,
      footerIdentity: [
        footerIdentity(invoice.issuer, texts, true),
        // A very long address is already in the header.
        footerIdentity(invoice.issuer, texts, false),
      ],
      columns: words.columns,
    });
  }

  async render(orders: AsyncIterable<Order>, output: PassThrough): Promise<void> {
    if (this.invoice.number) {
      const mapping = mapInvoice(this.invoice);
      this.einvoice = { mapping, facturX: new StreamingFacturX(this.doc, mapping.header) };
      this.einvoice.facturX.begin();
    }
    this.firstPageHeader();
    this.tableHeader();
    for await (const order of orders) {
      if (output.destroyed) return;
      this.order(order);
      // A finished page sits in the document's buffer: give the event loop a turn so it flows out (an
      // order source that never waits on I/O would otherwise starve the stream until the end)...
      if (this.doc.readableLength > 0) await yieldToEventLoop();
      // ...and wait while the consumer (an S3 upload) is behind before reading the next order.
      while (output.writableNeedDrain && !output.destroyed) await waitForDrain(output);
    }
    if (output.destroyed) return;
    this.checkOrdersMatchInvoice();
    this.summary();
    this.footer();
    await this.einvoice?.facturX.finish();
    try {
      this.doc.end();
    } catch (cause) {
      throw new InvoiceRenderError(
        'The PDF could not be finished: pdfkit needs its sRGB ICC profile for PDF/A (in a bundle, put sRGB_IEC61966_2_1.icc in INVOICE_FONT_DIR)',
        { cause },
      );
    }
  }

  // ---- first page ----------------------------------------------------------------------------------------

  private firstPageHeader(): void {
    const { invoice, texts } = this;
    const words = texts.invoice;
    this.header({
      issuerName: invoice.issuer.legalName,
      identity: [...issuerIdentity(invoice.issuer, texts), invoice.issuer.email],
      title: invoice.number ? words.title : words.draftTitle,
      number: invoice.number ? `${texts.document.numberSign} ${invoice.number}` : undefined,
      notice: invoice.number ? undefined : words.draftNotice,
      facts: [
        [texts.document.issueDate, this.date(invoice.issueDate)],
        [words.dueDate, this.date(invoice.dueDate)],
        [
          words.period,
          words.periodRange(this.date(invoice.period.startDate), this.date(invoice.period.endDate)),
        ],
        [words.paymentTerms, words.paymentTermsValue(invoice.paymentTerms)],
      ],
    });
    this.parties();
    this.amountDueBanner();
    this.doc.x = X0;
  }

  /** Buyer (bill to) and delivery panels side by side. */
  private parties(): void {
    const { invoice, texts } = this;
    const buyer = invoice.buyer;
    const words = texts.invoice;
    this.panels([
      { label: words.billTo, name: buyer.legalName, groups: [buyerIdentity(buyer, texts)] },
      {
        label: words.deliverTo,
        groups: [
          buyer.deliveryAddress
            ? formatAddress(buyer.deliveryAddress, this.lang)
            : [words.sameAsBillingAddress],
          [
            ...(invoice.purchaseOrderNumber
              ? [labelledIdentifier(texts.document.purchaseOrder, invoice.purchaseOrderNumber, this.lang)]
              : []),
            supplyCategoryMention(invoice),
          ],
        ],
      },
    ]);
  }

  private amountDueBanner(): void {
    const { invoice, texts } = this;
    const words = texts.invoice;
    const height = 24;
    this.fillRect(X0, this.y, CONTENT_WIDTH, height, ACCENT);
    const y = this.y + 7;
    this.style('bold', 11, WHITE);
    const label = labelled(words.amountDueBanner, this.money(invoice.amountDueMinor), this.lang);
    this.put(label, X0 + 10, y);
    if (invoice.dueDate) {
      const labelWidth = this.widthOf(label);
      this.style('regular', 10, WHITE);
      this.put(words.payBy(this.date(invoice.dueDate)), X0 + 10 + labelWidth + 8, y + 1);
    }
    this.style('regular', BODY_SIZE, WHITE);
    this.putRight(words.contents(invoice.orderCount, invoice.lineCount), X1 - 10, y + 2);
    this.y += height + 14;
  }

  // ---- orders ----------------------------------------------------------------------------------------

  private order(order: Order): void {
    if (order.currency !== this.invoice.currency) {
      throw new InvoiceRenderError(
        `order ${order.orderId} is in ${order.currency}, invoice ${this.invoice.invoiceId} in ${this.invoice.currency}`,
      );
    }
    if (order.status === 'cancelled') {
      throw new InvoiceRenderError(`order ${order.orderId} is cancelled and cannot be invoiced`);
    }
    this.ordersSeen += 1;
    for (const line of order.lines) {
      this.linesSeen += 1;
      const key = `${line.vatCategory} ${line.vatRate}`;
      this.basesSeen.set(key, (this.basesSeen.get(key) ?? 0) + line.netMinor);
    }
    this.orderLines(this.orderHeadingOf(order), order.lines);
    if (this.einvoice) this.einvoice.facturX.lines(this.einvoice.mapping.linesOf(order));
  }

  /** The render stopped (an error, or the consumer went away): drop the e-invoice being written. */
  abandon(): void {
    this.einvoice?.facturX.abandon();
  }

  /**
   * An order's heading: "Commande REF du 04/11/2026", then its id, purchase order and own delivery
   * address.
   */
  private orderHeadingOf(order: Order): OrderHeading {
    const { texts } = this;
    const date = this.date(localDateOf(order.receivedAt, order.billingPeriod.timeZone));
    const title = texts.document.order(unbreakable(singleLine(order.reference)), date);
    const details = [
      order.orderId,
      ...(order.purchaseOrderNumber
        ? [labelledIdentifier(texts.document.purchaseOrder, singleLine(order.purchaseOrderNumber), this.lang)]
        : []),
      ...(order.deliveryAddress
        ? [labelled(texts.document.deliveredTo, oneLineAddress(order.deliveryAddress, this.lang), this.lang)]
        : []),
    ].join(' · ');
    return this.orderHeading(title, details);
  }

  /** The orders streamed must be exactly the invoice's: same counts, and line nets summing to each rate's base. */
  private checkOrdersMatchInvoice(): void {
    const { invoice } = this;
    const problems: string[] = [];
    if (this.ordersSeen !== invoice.orderCount) {
      problems.push(`${this.ordersSeen} orders streamed, the invoice has ${invoice.orderCount}`);
    }
    if (this.linesSeen !== invoice.lineCount) {
      problems.push(`${this.linesSeen} lines streamed, the invoice has ${invoice.lineCount}`);
    }
    const expected = new Map(
      invoice.vatBreakdown.map((entry) => [`${entry.category} ${entry.vatRate}`, entry.baseMinor]),
    );
    for (const key of new Set([...expected.keys(), ...this.basesSeen.keys()])) {
      const streamed = this.basesSeen.get(key) ?? 0;
      if (streamed !== (expected.get(key) ?? 0)) {
        problems.push(
          `lines of ${key} % sum to ${streamed}, the invoice's base is ${expected.get(key) ?? 0}`,
        );
      }
    }
    if (problems.length > 0) {
      throw new InvoiceRenderError(
        `orders do not match invoice ${invoice.invoiceId}: ${problems.join('; ')}`,
      );
    }
  }

  // ---- totals, payment, mentions ---------------------------------------------------------------------

  /** VAT breakdown and totals, payment, legal mentions: kept together on one page. */
  private summary(): void {
    const { invoice, texts } = this;
    const words = texts.invoice;
    // Per category and rate once the invoice is an e-invoice (issued), as its XML says; per rate otherwise.
    const breakdown = this.einvoice?.mapping.header.vatBreakdown;
    const rows = breakdown ? vatRows(breakdown, texts) : invoice.vatBreakdown;
    const mentions = [...legalMentions(invoice), ...(breakdown ? vatExemptionMentions(breakdown) : [])];
    this.style('regular', BODY_SIZE, INK);
    const payment = this.paymentLines().flatMap((line) => this.wrap(line, CONTENT_WIDTH));
    const paymentLeading = this.lineHeight() + 2;
    this.style('regular', TABLE_SIZE, INK);
    let mentionsHeight = 0;
    for (const mention of mentions) mentionsHeight += this.heightOf(mention, CONTENT_WIDTH) + 1.5;
    const needed =
      this.vatAndTotalsHeight(rows.length, 3) +
      16 +
      payment.length * paymentLeading +
      12 +
      16 +
      mentionsHeight;
    this.keepTogether(needed);

    this.vatAndTotals(
      rows,
      [
        [texts.document.totalNet, invoice.totals.netMinor],
        [texts.document.totalVat, invoice.totals.vatMinor],
        [texts.document.totalGross, invoice.totals.grossMinor],
      ],
      [words.amountDue, invoice.amountDueMinor],
    );

    this.sectionTitle(words.payment);
    this.style('regular', BODY_SIZE, INK);
    for (const line of payment) {
      this.put(line, X0, this.y);
      this.y += paymentLeading;
    }
    this.y += 12;

    this.sectionTitle(words.legalNotices);
    this.style('regular', TABLE_SIZE, INK);
    for (const mention of mentions) {
      this.y += this.putWrapped(mention, X0, this.y, CONTENT_WIDTH) + 1.5;
    }
  }

  private paymentLines(): string[] {
    const { invoice, texts } = this;
    const words = texts.invoice;
    const issuer = invoice.issuer;
    const lines = [
      `${words.dueDateSentence(this.date(invoice.dueDate))} · ${labelled(
        words.paymentTerms,
        words.paymentTermsValue(invoice.paymentTerms),
        this.lang,
      )}`,
    ];
    if (issuer.iban) {
      const bank = [
        labelledIdentifier(words.iban, formatIban(issuer.iban), this.lang),
        ...(issuer.bic ? [labelledIdentifier(words.bic, issuer.bic, this.lang)] : []),
      ];
      lines.push(`${words.bankTransfer} · ${bank.join(' · ')}`);
      if (invoice.number) lines.push(words.paymentReference(invoice.number));
    } else {
      lines.push(words.noBankDetails(issuer.email));
    }
    return lines;
  }
}
