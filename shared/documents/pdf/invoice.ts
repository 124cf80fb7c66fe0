/**
 * The invoice PDF: A4, PDF/A-3b (so a later step can embed the Factur-X XML in the same file), DejaVu Sans
 * embedded, rendered while the orders stream in. The renderer prints the invoice's own figures and each
 * line's stored net; it never recomputes a total (invariant 7). It does check that the streamed orders are
 * the invoice's (counts and per-rate bases), so a PDF can never disagree with itself.
 *
 * Bundling: pdfkit is given the parsed DejaVu font in its constructor (`font` option), so its default
 * Helvetica (AFM data loaded relative to pdfkit's own module) is never touched. What the renderer reads
 * at run time lives in one folder, INVOICE_FONT_DIR in a bundle: DejaVuSans.ttf, DejaVuSans-Bold.ttf and
 * pdfkit's sRGB_IEC61966_2_1.icc (the PDF/A output intent; see assets.ts).
 */
import { PassThrough, type Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import PDFDocument from 'pdfkit';
import type { Invoice } from '../../contracts/schemas/invoice.js';
import type { Order } from '../../contracts/schemas/order.js';
import { type Catalogue, catalogueFor } from '../texts/catalogue.js';
import {
  type Address,
  formatAddress,
  formatIban,
  formatLocalDate,
  formatPercent,
  formatQuantity,
  labelled,
  labelledIdentifier,
  localDateOf,
  moneyFormatter,
  singleLine,
  unbreakable,
} from '../texts/format.js';
import {
  legalFormText,
  legalMentions,
  rcsText,
  sirenText,
  supplyCategoryMention,
} from '../texts/mentions.js';
import { PdfCanvas } from './canvas.js';
import { type InvoiceFonts, loadInvoiceFonts } from './fonts.js';

export interface RenderInvoicePdfOptions {
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

// A4 in points, and the page grid.
const PAGE_WIDTH = 595.28;
const X0 = 42;
const X1 = PAGE_WIDTH - 42;
const CONTENT_WIDTH = X1 - X0;
const TOP = 40;
/** Lowest y any body content may reach; the footer lives below. */
const BOTTOM = 792;
const FOOTER_RULE_Y = 800;
const FOOTER_Y = 805;

const INK = '#1b1f24';
const MUTED = '#5b636e';
const ACCENT = '#1f3a5f';
const RULE = '#d5d9df';
const BAND = '#eef1f5';
const PANEL = '#f6f7f9';
const WHITE = '#ffffff';

/** Words: a line may break after a space (the word keeps it). A no-break space never breaks. */
const WORDS = /(?<= )/;
/** Inside a word of prose, a line may also break after a hyphen or a slash. */
const PROSE_BREAKS = /(?<=[-/])/;
/**
 * A word with a digit or a no-break space is an identifier or a figure (`COFFEE-BEANS-1KG`, `PO-7781`,
 * `04/11/2026`, `SIREN 123 456 789` spelled with no-break spaces): never split at its hyphens or slashes.
 * Prose words (`Charentes-Poitou`) may be.
 */
const IDENTIFIER_WORD = /[\d\u00a0\u202f]/;
const WRAP_CACHE_LIMIT = 2_000;

/**
 * Smallest size an identifier is shrunk to inside its own column, then anywhere: a slightly smaller SKU
 * still reads as part of its row; past these, a SKU takes the row's first line across the description
 * column, and only what cannot fit even there is cut, at a character boundary.
 */
const IDENTIFIER_MIN_SIZE_IN_COLUMN = 6;
const IDENTIFIER_MIN_SIZE = 5;

/** The header's two columns: issuer identity on the left, title and dates on the right. */
const HEADER_RIGHT_WIDTH = 250;
const HEADER_LEFT_WIDTH = PAGE_WIDTH - 42 - HEADER_RIGHT_WIDTH - 12 - 42;

const BODY_SIZE = 8;
const TABLE_SIZE = 7;
const CELL_PAD = 3;
const ROW_PAD = 2.5;

type FontWeight = 'regular' | 'bold';

/** What a table cell prints: its lines, in the row's size or smaller (an identifier kept whole). */
interface Cell {
  lines: string[];
  /** Font size of the lines: the table's, or less for an identifier shrunk to fit. */
  size: number;
  /** Lines of the row left above it: a description under a SKU that spans the row's first line. */
  skip: number;
}

interface PreparedRow {
  /** Per column, what is printed in it. */
  cells: Record<ColumnKey, Cell>;
  height: number;
}
type ColumnKey = keyof Catalogue['invoice']['columns'];

interface OrderHeading {
  titleLines: string[];
  detailLines: string[];
  /** Title and details on one line. */
  inline: boolean;
  height: number;
}

interface Column {
  key: ColumnKey;
  x: number;
  width: number;
  align: 'left' | 'right';
}

const COLUMN_WIDTHS: ReadonlyArray<[ColumnKey, number, 'left' | 'right']> = [
  ['seller', 90, 'left'],
  ['sku', 76, 'left'],
  ['description', 0, 'left'],
  ['quantity', 34, 'right'],
  ['unitPrice', 54, 'right'],
  ['vatRate', 30, 'right'],
  ['net', 62, 'right'],
];

/** Table columns across the content width; the description takes what the others leave. */
const COLUMNS: readonly Column[] = (() => {
  const fixed = COLUMN_WIDTHS.reduce((sum, [, width]) => sum + width, 0);
  let x = X0;
  return COLUMN_WIDTHS.map(([key, width, align]) => {
    const column = { key, x, width: width || CONTENT_WIDTH - fixed, align };
    x += column.width;
    return column;
  });
})();
const COLUMN = Object.fromEntries(COLUMNS.map((column) => [column.key, column])) as Record<ColumnKey, Column>;

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
  const fonts = loadInvoiceFonts(options.fontDir);
  const texts = catalogueFor(invoice.language);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: TOP, bottom: 10, left: X0, right: PAGE_WIDTH - X1 },
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    tagged: true,
    lang: texts.bcp47,
    displayTitle: true,
    // Text is shaped and memoised by PdfCanvas (pdf-canvas.ts); pdfkit's own per-document cache of laid-out
    // words would only grow with every distinct word of a 10,000-order invoice.
    fontLayoutCache: false,
    // The parsed font itself (pdfkit accepts a fontkit font wherever it takes a path): the constructor
    // then never loads its default Helvetica from disk, which a bundle does not ship.
    font: fonts.regular as unknown as string,
    info: documentInfo(invoice, texts),
  });
  const output = new PassThrough();
  doc.pipe(output);
  const layout = new InvoiceLayout(doc, invoice, texts, fonts);
  const abandon = (error?: Error) => {
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

function documentInfo(invoice: Invoice, texts: Catalogue): PDFKit.DocumentInfo {
  const day = invoice.issueDate ?? invoice.createdAt.slice(0, 10);
  const date = new Date(`${day}T00:00:00.000Z`);
  const title = invoice.number ? `${texts.invoice.documentName} ${invoice.number}` : texts.invoice.draftTitle;
  const period = texts.invoice.periodRange(
    formatLocalDate(invoice.period.startDate, invoice.language),
    formatLocalDate(invoice.period.endDate, invoice.language),
  );
  return {
    Title: xmpSafe(title, invoice.language),
    Author: xmpSafe(invoice.issuer.legalName, invoice.language),
    Subject: xmpSafe(`${invoice.buyer.legalName} — ${texts.invoice.period} ${period}`, invoice.language),
    Creator: 'deferred-billing',
    Producer: 'PDFKit',
    CreationDate: date,
    ModDate: date,
  };
}

/**
 * pdfkit copies Title/Author/Subject into the XMP packet without XML escaping, and PDF/A wants the Info
 * dictionary and the XMP to say the same thing: keep the metadata free of XML's special characters.
 */
function xmpSafe(value: string, language: Invoice['language']): string {
  return value.replace(/&/g, language === 'fr' ? 'et' : 'and').replace(/[<>]/g, '');
}

/** Where a text may break: after spaces, and after the hyphens and slashes of prose words only. */
function breakTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.split(WORDS)) {
    if (IDENTIFIER_WORD.test(word)) tokens.push(word);
    else tokens.push(...word.split(PROSE_BREAKS));
  }
  return tokens;
}

/** A single-line address for dense places (an order's delivery address). */
function oneLine(address: Address, language: Invoice['language']): string {
  return formatAddress(address, language).join(', ');
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

/** Lays one invoice out on pages; holds the cursor and the graphics state it has set. */
class InvoiceLayout {
  private readonly money: (amountMinor: number) => string;
  private readonly lang: Invoice['language'];
  private readonly reference: string;
  private readonly fontNames: Record<FontWeight, string>;
  /** Ascender of each font per point of size. */
  private readonly ascender: Record<FontWeight, number>;
  private y = TOP;
  private page = 1;
  private weight: FontWeight | undefined;
  private size: number | undefined;
  private color: string | undefined;
  private ordersSeen = 0;
  private linesSeen = 0;
  private readonly basesSeen = new Map<number, number>();
  private readonly wrapCache = new Map<string, string[]>();
  private readonly canvas: PdfCanvas;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly invoice: Invoice,
    private readonly texts: Catalogue,
    fonts: InvoiceFonts,
  ) {
    this.lang = invoice.language;
    this.money = moneyFormatter(invoice.currency, invoice.language);
    this.reference = invoice.number
      ? `${texts.invoice.documentName} ${texts.document.numberSign} ${invoice.number}`
      : texts.invoice.draftTitle;
    this.fontNames = { regular: fonts.regular.postscriptName, bold: fonts.bold.postscriptName };
    this.ascender = {
      regular: fonts.regular.ascent / fonts.regular.unitsPerEm,
      bold: fonts.bold.ascent / fonts.bold.unitsPerEm,
    };
    // Registered under their PostScript names: the constructor already opened the regular font under that
    // name, so pdfkit reuses it instead of opening (and comparing) a second copy.
    doc.registerFont(this.fontNames.regular, fonts.regular as unknown as string);
    doc.registerFont(this.fontNames.bold, fonts.bold as unknown as string);
    this.canvas = new PdfCanvas(doc, {
      [this.fontNames.regular]: fonts.regular,
      [this.fontNames.bold]: fonts.bold,
    });
  }

  async render(orders: AsyncIterable<Order>, output: PassThrough): Promise<void> {
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
    try {
      this.doc.end();
    } catch (cause) {
      throw new InvoiceRenderError(
        'The PDF could not be finished: pdfkit needs its sRGB ICC profile for PDF/A (in a bundle, put sRGB_IEC61966_2_1.icc in INVOICE_FONT_DIR)',
        { cause },
      );
    }
  }

  // ---- text primitives -------------------------------------------------------------------------------

  private style(weight: FontWeight, size: number, color: string): void {
    if (weight !== this.weight) {
      this.canvas.font(this.fontNames[weight]);
      this.weight = weight;
    }
    if (size !== this.size) {
      this.doc.fontSize(size);
      this.size = size;
    }
    this.color = color;
  }

  /** One line of text at (x, y), no wrapping. */
  private put(text: string, x: number, y: number): void {
    this.canvas.text(text, x, y, this.size ?? BODY_SIZE, this.color ?? INK);
  }

  /** Width of a text in the current style. */
  private widthOf(text: string): number {
    return this.canvas.width(text, this.size ?? BODY_SIZE);
  }

  /** One line of text ending at x. */
  private putRight(text: string, right: number, y: number): void {
    this.put(text, right - this.widthOf(text), y);
  }

  /**
   * One line of text ending at x, in a smaller size if it would overflow the width: an outsized figure
   * (a quantity of 999 999,999, a net in the billions) stays whole, readable and inside its column.
   */
  private putRightFitted(text: string, right: number, y: number, width: number): void {
    const natural = this.widthOf(text);
    if (natural <= width) {
      this.put(text, right - natural, y);
      return;
    }
    const size = this.size ?? TABLE_SIZE;
    const smaller = this.shrunk(size, width, natural);
    this.putSized(text, right - (natural * smaller) / size, y, smaller);
  }

  /** The size at which a text of `natural` width (in `size`) fits `width`, rounded down to 0.1 pt. */
  private shrunk(size: number, width: number, natural: number): number {
    return Math.floor(((size * width) / natural) * 10) / 10;
  }

  /** One line in another size than the current one, on the same baseline as the current size's lines. */
  private putSized(text: string, x: number, y: number, size: number): void {
    const { weight = 'regular', size: current = TABLE_SIZE, color = INK } = this;
    if (size === current) {
      this.put(text, x, y);
      return;
    }
    this.style(weight, size, color);
    // Text is placed by the top of its line: move it down so the baselines meet.
    this.put(text, x, y + this.ascender[weight] * (current - size));
    this.style(weight, current, color);
  }

  /**
   * An identifier (a SKU, a stored seller id) fitted to a width without splitting it: whole in the current
   * size, or whole in a smaller one down to `minSize`; undefined when even that is too wide. One measure of
   * the whole string (memoised by the canvas): nothing per character on this path.
   */
  private fitWhole(text: string, width: number, minSize: number): Cell | undefined {
    const size = this.size ?? TABLE_SIZE;
    const natural = this.widthOf(text);
    if (natural <= width) return { lines: [text], size, skip: 0 };
    const smaller = this.shrunk(size, width, natural);
    return smaller >= minSize ? { lines: [text], size: smaller, skip: 0 } : undefined;
  }

  /** An identifier too long for any width at the smallest size: cut at character boundaries, in that size. */
  private cutIdentifier(text: string, width: number): Cell {
    return { lines: this.cutWord(text, width, IDENTIFIER_MIN_SIZE), size: IDENTIFIER_MIN_SIZE, skip: 0 };
  }

  /**
   * A word cut where it overflows, character by character (a prefix at a time would lay out a 500-character
   * word 500 times). Only for what fits no line whole: never on the path of an ordinary invoice.
   */
  private cutWord(word: string, width: number, size: number): string[] {
    const lines: string[] = [];
    let line = '';
    let lineWidth = 0;
    for (const char of word) {
      const charWidth = this.canvas.width(char, size);
      if (line && lineWidth + charWidth > width) {
        lines.push(line);
        line = '';
        lineWidth = 0;
      }
      line += char;
      lineWidth += charWidth;
    }
    if (line) lines.push(line);
    return lines;
  }

  private lineHeight(): number {
    return this.doc.currentLineHeight(true);
  }

  /**
   * A text broken into lines that fit a width, in the current style: greedy, at spaces, and after hyphens
   * and slashes of prose words (never inside an identifier: see IDENTIFIER_WORD); a word wider than the
   * line is cut where it overflows. One measuring pass (pdfkit's own
   * wrapper measures, then measures again to draw), and the result is reused for the row height and the
   * drawing; results are cached per document, bounded.
   */
  private wrap(text: string, width: number): string[] {
    const key = `${this.weight}|${this.size}|${width}|${text}`;
    const cached = this.wrapCache.get(key);
    if (cached) return cached;
    let lines: string[];
    if (this.widthOf(text) <= width) {
      lines = [text];
    } else {
      lines = [];
      let line = '';
      let lineWidth = 0;
      for (const token of breakTokens(text)) {
        const trimmed = token.trimEnd();
        const tokenWidth = this.widthOf(token);
        if (line && lineWidth + this.widthOf(trimmed) <= width) {
          line += token;
          lineWidth += tokenWidth;
          continue;
        }
        if (line) lines.push(line.trimEnd());
        if (this.widthOf(trimmed) <= width) {
          line = token;
          lineWidth = tokenWidth;
          continue;
        }
        // A word longer than the line (a 100-character reference): cut where it overflows; its last
        // piece starts the next line.
        const pieces = this.cutWord(token, width, this.size ?? BODY_SIZE);
        line = pieces.pop() ?? '';
        lines.push(...pieces);
        lineWidth = this.widthOf(line);
      }
      if (line.trim()) lines.push(line.trimEnd());
    }
    if (this.wrapCache.size >= WRAP_CACHE_LIMIT) this.wrapCache.clear();
    this.wrapCache.set(key, lines);
    return lines;
  }

  /** Height of a text wrapped in a width, in the current style. */
  private heightOf(text: string, width: number): number {
    return this.wrap(text, width).length * this.lineHeight();
  }

  /** Lines from (x, y), one under the other; returns their height. */
  private putLines(lines: readonly string[], x: number, y: number): number {
    const lineHeight = this.lineHeight();
    lines.forEach((line, index) => {
      this.put(line, x, y + index * lineHeight);
    });
    return lines.length * lineHeight;
  }

  /** Text wrapped in a width from (x, y); returns its height. */
  private putWrapped(text: string, x: number, y: number, width: number): number {
    return this.putLines(this.wrap(text, width), x, y);
  }

  private fillRect(x: number, y: number, width: number, height: number, color: string): void {
    this.canvas.rect(x, y, width, height, color);
  }

  private rule(y: number, color = RULE, width = 0.4, x0 = X0, x1 = X1): void {
    this.canvas.rule(x0, x1, y, width, color);
  }

  private date(localDate: string | undefined): string {
    return localDate ? formatLocalDate(localDate, this.lang) : '—';
  }

  // ---- pages -----------------------------------------------------------------------------------------

  private firstPageHeader(): void {
    const { doc, invoice, texts } = this;
    const issuer = invoice.issuer;

    // Issuer identity, left.
    let y = TOP;
    this.style('bold', 14, ACCENT);
    y += this.putWrapped(issuer.legalName, X0, y, HEADER_LEFT_WIDTH) + 3;
    this.style('regular', BODY_SIZE, INK);
    const identity = [
      legalFormText(issuer, texts),
      ...formatAddress(issuer.address, this.lang),
      `${sirenText(issuer.siren, texts)}${issuer.rcs ? ` · ${rcsText(issuer.rcs, texts)}` : ''}`,
      labelledIdentifier(texts.document.vatId, issuer.vatId, this.lang),
      issuer.email,
    ];
    const leading = this.lineHeight() + 0.5;
    for (const line of identity) {
      for (const part of this.wrap(line, HEADER_LEFT_WIDTH)) {
        this.put(part, X0, y);
        y += leading;
      }
    }
    const leftBottom = y;

    // Title, number and dates, right.
    const right = X1;
    y = TOP - 4;
    this.style('bold', 22, ACCENT);
    this.putRight(invoice.number ? texts.invoice.title : texts.invoice.draftTitle, right, y);
    y += 30;
    if (invoice.number) {
      this.style('bold', 12, INK);
      this.putRight(`${texts.document.numberSign} ${invoice.number}`, right, y);
      y += 20;
    } else {
      this.style('bold', BODY_SIZE, '#a0281e');
      for (const line of this.wrap(texts.invoice.draftNotice, 220)) {
        this.putRight(line, right, y);
        y += this.lineHeight();
      }
      y += 6;
    }
    const facts: Array<[string, string]> = [
      [texts.document.issueDate, this.date(invoice.issueDate)],
      [texts.invoice.dueDate, this.date(invoice.dueDate)],
      [
        texts.invoice.period,
        texts.invoice.periodRange(this.date(invoice.period.startDate), this.date(invoice.period.endDate)),
      ],
      [texts.invoice.paymentTerms, texts.invoice.paymentTermsValue(invoice.paymentTerms)],
    ];
    const labelX = X1 - HEADER_RIGHT_WIDTH;
    for (const [label, value] of facts) {
      this.style('regular', BODY_SIZE, MUTED);
      this.put(label, labelX, y);
      this.style('bold', BODY_SIZE, INK);
      this.putRight(value, right, y);
      y += leading + 1;
    }
    this.y = Math.max(leftBottom, y) + 12;

    this.parties();
    this.amountDueBanner();
    doc.x = X0;
  }

  /** Buyer (bill to) and delivery panels side by side. */
  private parties(): void {
    const { invoice, texts } = this;
    const buyer = invoice.buyer;
    const gap = 12;
    const width = (CONTENT_WIDTH - gap) / 2;
    const pad = 8;
    const top = this.y;

    const billTo: string[] = [
      ...(buyer.legalForm ? [buyer.legalForm] : []),
      ...formatAddress(buyer.billingAddress, this.lang),
      ...(buyer.siren ? [sirenText(buyer.siren, texts)] : []),
      ...(buyer.vatId ? [labelledIdentifier(texts.document.vatId, buyer.vatId, this.lang)] : []),
    ];
    const delivery = buyer.deliveryAddress
      ? formatAddress(buyer.deliveryAddress, this.lang)
      : [texts.invoice.sameAsBillingAddress];
    const extra = [
      ...(invoice.purchaseOrderNumber
        ? [labelledIdentifier(texts.document.purchaseOrder, invoice.purchaseOrderNumber, this.lang)]
        : []),
      supplyCategoryMention(invoice),
    ];

    const innerWidth = width - 2 * pad;
    this.style('regular', BODY_SIZE, INK);
    const leading = this.lineHeight() + 0.5;
    const wrapAll = (lines: string[]) => lines.flatMap((line) => this.wrap(line, innerWidth));
    const billToLines = wrapAll(billTo);
    const deliveryLines = wrapAll(delivery);
    const extraLines = wrapAll(extra);
    this.style('bold', 10, INK);
    const nameLines = this.wrap(buyer.legalName, innerWidth);
    const nameHeight = nameLines.length * this.lineHeight();
    const leftHeight = 14 + nameHeight + 2 + billToLines.length * leading;
    const rightHeight = 14 + deliveryLines.length * leading + 6 + extraLines.length * leading;
    const height = Math.max(leftHeight, rightHeight) + 2 * pad - 2;
    this.fillRect(X0, top, width, height, PANEL);
    this.fillRect(X0 + width + gap, top, width, height, PANEL);
    const putAll = (lines: string[], x: number, y: number): number => {
      lines.forEach((line, index) => {
        this.put(line, x, y + index * leading);
      });
      return y + lines.length * leading;
    };

    // Bill to.
    let x = X0 + pad;
    let y = top + pad;
    this.style('bold', 7, MUTED);
    this.put(texts.invoice.billTo.toUpperCase(), x, y);
    y += 14;
    this.style('bold', 10, INK);
    y += this.putLines(nameLines, x, y) + 2;
    this.style('regular', BODY_SIZE, INK);
    putAll(billToLines, x, y);

    // Delivery, purchase order, category of operation.
    x = X0 + width + gap + pad;
    y = top + pad;
    this.style('bold', 7, MUTED);
    this.put(texts.invoice.deliverTo.toUpperCase(), x, y);
    y += 14;
    this.style('regular', BODY_SIZE, INK);
    y = putAll(deliveryLines, x, y) + 6;
    putAll(extraLines, x, y);
    this.y = top + height + 12;
  }

  private amountDueBanner(): void {
    const { invoice, texts } = this;
    const height = 24;
    this.fillRect(X0, this.y, CONTENT_WIDTH, height, ACCENT);
    const y = this.y + 7;
    this.style('bold', 11, WHITE);
    const label = labelled(texts.invoice.amountDueBanner, this.money(invoice.amountDueMinor), this.lang);
    this.put(label, X0 + 10, y);
    if (invoice.dueDate) {
      const labelWidth = this.widthOf(label);
      this.style('regular', 10, WHITE);
      this.put(texts.invoice.payBy(this.date(invoice.dueDate)), X0 + 10 + labelWidth + 8, y + 1);
    }
    this.style('regular', BODY_SIZE, WHITE);
    this.putRight(texts.invoice.contents(invoice.orderCount, invoice.lineCount), X1 - 10, y + 2);
    this.y += height + 14;
  }

  /** Column titles on a band; repeated at the top of every page the table runs onto. */
  private tableHeader(): void {
    const { texts } = this;
    this.style('bold', 7, INK);
    const lineHeight = this.lineHeight();
    let lines = 1;
    for (const column of COLUMNS) {
      const height = this.heightOf(texts.invoice.columns[column.key], column.width - 2 * CELL_PAD);
      lines = Math.max(lines, Math.round(height / lineHeight));
    }
    const height = lines * lineHeight + 2 * ROW_PAD + 2;
    this.fillRect(X0, this.y, CONTENT_WIDTH, height, BAND);
    this.style('bold', 7, INK);
    for (const column of COLUMNS) {
      const label = texts.invoice.columns[column.key];
      const width = column.width - 2 * CELL_PAD;
      const y = this.y + ROW_PAD + 1;
      const lines = this.wrap(label, width);
      if (column.align === 'right') {
        lines.forEach((line, index) => {
          this.putRight(line, column.x + column.width - CELL_PAD, y + index * lineHeight);
        });
      } else {
        this.putLines(lines, column.x + CELL_PAD, y);
      }
    }
    this.y += height + 2;
  }

  /** The issuer's legal identity in small print, the document reference and the page number. */
  private footer(): void {
    const { invoice, texts } = this;
    const issuer = invoice.issuer;
    this.rule(FOOTER_RULE_Y);
    const identity = (withAddress: boolean) =>
      [
        issuer.legalName,
        legalFormText(issuer, texts),
        ...(withAddress ? [oneLine(issuer.address, this.lang)] : []),
        sirenText(issuer.siren, texts),
        ...(issuer.rcs ? [rcsText(issuer.rcs, texts)] : []),
        labelledIdentifier(texts.document.vatId, issuer.vatId, this.lang),
      ].join(' · ');
    this.style('regular', 6.5, MUTED);
    const width = CONTENT_WIDTH - 120;
    let lines = this.wrap(identity(true), width);
    // Two lines at most below the rule: a very long address is already in the header.
    if (lines.length > 2) lines = this.wrap(identity(false), width).slice(0, 2);
    this.putLines(lines, X0, FOOTER_Y);
    this.putRight(`${this.reference} · ${texts.document.page(this.page)}`, X1, FOOTER_Y);
  }

  /** Closes the page with its footer and opens the next one with a short reminder of the document. */
  private newPage(inTable: boolean): void {
    this.footer();
    this.doc.addPage();
    this.page += 1;
    // The style is chosen afresh on the new page (the canvas writes its graphics state again there).
    this.weight = undefined;
    this.size = undefined;
    this.color = undefined;
    this.y = TOP;
    this.style('bold', BODY_SIZE, ACCENT);
    const reminder = this.invoice.number
      ? this.texts.invoice.continuedHeader(this.invoice.number)
      : this.texts.invoice.draftTitle;
    this.put(reminder, X0, this.y);
    const reminderWidth = this.widthOf(reminder);
    this.style('regular', BODY_SIZE, MUTED);
    const issuerName = this.invoice.issuer.legalName;
    if (reminderWidth + 24 + this.widthOf(issuerName) <= CONTENT_WIDTH) {
      this.putRight(issuerName, X1, this.y);
    }
    this.y += 20;
    if (inTable) this.tableHeader();
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

    const heading = this.orderHeading(order);
    order.lines.forEach((line, index) => {
      this.linesSeen += 1;
      this.basesSeen.set(line.vatRate, (this.basesSeen.get(line.vatRate) ?? 0) + line.netMinor);
      const row = this.prepareRow(line);
      if (index === 0) {
        // Keep the heading with the order's first line.
        if (this.y + heading.height + row.height > BOTTOM) this.newPage(true);
        this.drawOrderHeading(heading, false);
      } else if (this.y + row.height > BOTTOM) {
        this.newPage(true);
        this.drawOrderHeading(heading, true);
      }
      this.row(row);
    });
  }

  /**
   * An order's heading: "Commande REF du 04/11/2026" in bold, then its id, purchase order and own delivery
   * address; on one line when they fit, else the details (and if need be the title) wrapped below.
   */
  private orderHeading(order: Order): OrderHeading {
    const { texts } = this;
    const date = this.date(localDateOf(order.receivedAt, order.billingPeriod.timeZone));
    const title = texts.document.order(unbreakable(singleLine(order.reference)), date);
    const details = [
      order.orderId,
      ...(order.purchaseOrderNumber
        ? [labelledIdentifier(texts.document.purchaseOrder, singleLine(order.purchaseOrderNumber), this.lang)]
        : []),
      ...(order.deliveryAddress
        ? [labelled(texts.document.deliveredTo, oneLine(order.deliveryAddress, this.lang), this.lang)]
        : []),
    ].join(' · ');
    const available = CONTENT_WIDTH - 2 * CELL_PAD;
    this.style('bold', TABLE_SIZE, INK);
    // Measured with the "(continued)" mark, so the heading repeated on the next page fits the same way.
    const titleWidth = this.widthOf(`${title} ${texts.document.orderContinued}`);
    const titleLines = titleWidth <= available ? [title] : this.wrap(title, available - 60);
    const lineHeight = this.lineHeight();
    this.style('regular', TABLE_SIZE, MUTED);
    const inline = titleLines.length === 1 && titleWidth + 10 + this.widthOf(details) <= available;
    const detailLines = inline ? [details] : this.wrap(details, available);
    const lines = inline ? 1 : titleLines.length + detailLines.length;
    return { titleLines, detailLines, inline, height: lines * lineHeight + 2 * ROW_PAD + 2 };
  }

  private drawOrderHeading(heading: OrderHeading, continued: boolean): void {
    const top = this.y + 2;
    this.fillRect(X0, top, CONTENT_WIDTH, heading.height - 2, PANEL);
    const x = X0 + CELL_PAD;
    let y = top + ROW_PAD;
    this.style('bold', TABLE_SIZE, INK);
    const titleLines = [...heading.titleLines];
    const last = titleLines.length - 1;
    if (continued) titleLines[last] = `${titleLines[last]} ${this.texts.document.orderContinued}`;
    y += this.putLines(titleLines, x, y);
    const titleWidth = this.widthOf(titleLines[last] ?? '');
    this.style('regular', TABLE_SIZE, MUTED);
    if (heading.inline) {
      this.put(heading.detailLines[0] ?? '', x + titleWidth + 10, top + ROW_PAD);
    } else {
      this.putLines(heading.detailLines, x, y);
    }
    this.y += heading.height;
  }

  /**
   * A line's cells as printed, the text columns already broken into lines, and the row's height. The SKU
   * is an identifier: kept whole in its column (a little smaller if need be), else on the row's first line
   * across the description column, the description below it.
   */
  private prepareRow(line: Order['lines'][number]): PreparedRow {
    this.style('regular', TABLE_SIZE, INK);
    const inner = (key: ColumnKey) => COLUMN[key].width - 2 * CELL_PAD;
    const text = (lines: string[], skip = 0): Cell => ({ lines, size: TABLE_SIZE, skip });
    const skuText = singleLine(line.sku);
    const acrossDescription = COLUMN.description.x + inner('description') - COLUMN.sku.x;
    const skuInColumn = this.fitWhole(skuText, inner('sku'), IDENTIFIER_MIN_SIZE_IN_COLUMN);
    const sku =
      skuInColumn ??
      this.fitWhole(skuText, acrossDescription, IDENTIFIER_MIN_SIZE) ??
      this.cutIdentifier(skuText, acrossDescription);
    const cells: Record<ColumnKey, Cell> = {
      seller: this.sellerCell(line, inner('seller')),
      sku,
      description: text(
        this.wrap(singleLine(line.description), inner('description')),
        skuInColumn ? 0 : sku.lines.length,
      ),
      quantity: text([formatQuantity(line.quantity, this.lang)]),
      unitPrice: text([this.money(line.unitPriceMinor)]),
      vatRate: text([formatPercent(line.vatRate, this.lang)]),
      net: text([this.money(line.netMinor)]),
    };
    let lines = 1;
    for (const cell of Object.values(cells)) lines = Math.max(lines, cell.skip + cell.lines.length);
    return { cells, height: lines * this.lineHeight() + 2 * ROW_PAD };
  }

  /**
   * The seller as documents name it: the legal name the order line was placed with, wrapped like prose;
   * an order placed before sellers were registered has only the id, printed whole like any identifier.
   */
  private sellerCell(line: Order['lines'][number], width: number): Cell {
    if (line.sellerName) {
      return { lines: this.wrap(singleLine(line.sellerName), width), size: TABLE_SIZE, skip: 0 };
    }
    const sellerId = singleLine(line.sellerId);
    return this.fitWhole(sellerId, width, IDENTIFIER_MIN_SIZE) ?? this.cutIdentifier(sellerId, width);
  }

  private row(row: PreparedRow): void {
    this.style('regular', TABLE_SIZE, INK);
    const y = this.y + ROW_PAD;
    const lineHeight = this.lineHeight();
    for (const column of COLUMNS) {
      const cell = row.cells[column.key];
      if (column.align === 'right') {
        const text = cell.lines[0];
        if (text)
          this.putRightFitted(text, column.x + column.width - CELL_PAD, y, column.width - 2 * CELL_PAD);
      } else {
        cell.lines.forEach((text, index) => {
          this.putSized(text, column.x + CELL_PAD, y + (cell.skip + index) * lineHeight, cell.size);
        });
      }
    }
    this.y += row.height;
    this.rule(this.y, RULE, 0.3);
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
    const expected = new Map(invoice.vatBreakdown.map((entry) => [entry.vatRate, entry.baseMinor]));
    for (const rate of new Set([...expected.keys(), ...this.basesSeen.keys()])) {
      const streamed = this.basesSeen.get(rate) ?? 0;
      if (streamed !== (expected.get(rate) ?? 0)) {
        problems.push(
          `lines at ${rate} % sum to ${streamed}, the invoice's base is ${expected.get(rate) ?? 0}`,
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

  private summary(): void {
    const { invoice, texts } = this;
    const mentions = legalMentions(invoice);
    this.style('regular', BODY_SIZE, INK);
    const payment = this.paymentLines().flatMap((line) => this.wrap(line, CONTENT_WIDTH));
    const paymentLeading = this.lineHeight() + 2;

    this.style('regular', TABLE_SIZE, INK);
    const small = this.lineHeight();
    let mentionsHeight = 0;
    for (const mention of mentions) mentionsHeight += this.heightOf(mention, CONTENT_WIDTH) + 1.5;
    const rowHeight = small + 2 * ROW_PAD + 1;
    const vatHeight = 16 + rowHeight * (invoice.vatBreakdown.length + 1);
    const totalsHeight = 16 + rowHeight * 3 + 26;
    const needed =
      14 +
      Math.max(vatHeight, totalsHeight) +
      16 +
      16 +
      payment.length * paymentLeading +
      12 +
      16 +
      mentionsHeight;
    if (this.y + needed > BOTTOM) this.newPage(false);
    this.y += 14;
    const top = this.y;

    // VAT breakdown per rate (EN 16931 BG-23), left.
    const vatWidth = 262;
    const columns = [
      { label: texts.document.vatColumns.rate, right: X0 + 60 },
      { label: texts.document.vatColumns.base, right: X0 + 166 },
      { label: texts.document.vatColumns.vat, right: X0 + vatWidth - CELL_PAD },
    ];
    let y = top;
    this.style('bold', 9, ACCENT);
    this.put(texts.document.vatBreakdown, X0, y);
    y += 16;
    this.fillRect(X0, y, vatWidth, rowHeight, BAND);
    this.style('bold', 7, INK);
    for (const column of columns) this.putRight(column.label, column.right, y + ROW_PAD + 1);
    y += rowHeight;
    this.style('regular', TABLE_SIZE, INK);
    for (const entry of invoice.vatBreakdown) {
      const cells = [
        formatPercent(entry.vatRate, this.lang),
        this.money(entry.baseMinor),
        this.money(entry.vatMinor),
      ];
      cells.forEach((cell, index) => {
        const column = columns[index];
        if (column) this.putRight(cell, column.right, y + ROW_PAD);
      });
      y += rowHeight;
      this.rule(y, RULE, 0.3, X0, X0 + vatWidth);
    }
    const vatBottom = y;

    // Totals, right.
    const totalsX = X1 - 220;
    y = top + 16;
    const totals: Array<[string, number]> = [
      [texts.document.totalNet, invoice.totals.netMinor],
      [texts.document.totalVat, invoice.totals.vatMinor],
      [texts.document.totalGross, invoice.totals.grossMinor],
    ];
    for (const [label, amount] of totals) {
      this.style('regular', BODY_SIZE, MUTED);
      this.put(label, totalsX + CELL_PAD, y + ROW_PAD);
      this.style('regular', BODY_SIZE, INK);
      this.putRight(this.money(amount), X1 - CELL_PAD - 4, y + ROW_PAD);
      y += rowHeight;
      this.rule(y, RULE, 0.3, totalsX, X1);
    }
    y += 4;
    this.fillRect(totalsX, y, X1 - totalsX, 22, ACCENT);
    this.style('bold', 10, WHITE);
    this.put(texts.invoice.amountDue, totalsX + CELL_PAD + 2, y + 6);
    this.putRight(this.money(invoice.amountDueMinor), X1 - CELL_PAD - 4, y + 6);
    y += 22;
    this.y = Math.max(vatBottom, y) + 16;

    // Payment.
    this.style('bold', 9, ACCENT);
    this.put(texts.invoice.payment, X0, this.y);
    this.y += 16;
    this.style('regular', BODY_SIZE, INK);
    for (const line of payment) {
      this.put(line, X0, this.y);
      this.y += paymentLeading;
    }
    this.y += 12;

    // Legal mentions.
    this.style('bold', 9, ACCENT);
    this.put(texts.invoice.legalNotices, X0, this.y);
    this.y += 16;
    this.style('regular', TABLE_SIZE, INK);
    for (const mention of mentions) {
      this.y += this.putWrapped(mention, X0, this.y, CONTENT_WIDTH) + 1.5;
    }
  }

  private paymentLines(): string[] {
    const { invoice, texts } = this;
    const issuer = invoice.issuer;
    const lines = [
      `${texts.invoice.dueDateSentence(this.date(invoice.dueDate))} · ${labelled(
        texts.invoice.paymentTerms,
        texts.invoice.paymentTermsValue(invoice.paymentTerms),
        this.lang,
      )}`,
    ];
    if (issuer.iban) {
      const bank = [
        labelledIdentifier(texts.invoice.iban, formatIban(issuer.iban), this.lang),
        ...(issuer.bic ? [labelledIdentifier(texts.invoice.bic, issuer.bic, this.lang)] : []),
      ];
      lines.push(`${texts.invoice.bankTransfer} · ${bank.join(' · ')}`);
      if (invoice.number) lines.push(texts.invoice.paymentReference(invoice.number));
    } else {
      lines.push(texts.invoice.noBankDetails(issuer.email));
    }
    return lines;
  }
}
