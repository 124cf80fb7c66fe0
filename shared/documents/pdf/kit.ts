/**
 * The page kit every PDF of the product is drawn with (the invoice and the credit note): the A4 grid, the
 * type sizes (the colours are in palette.ts), the document's opening (PDF/A-3b, DejaVu embedded,
 * deterministic metadata), the text primitives (greedy wrapping that never breaks an identifier, fitted
 * figures, identifiers shrunk to stay whole), and the blocks both documents print: the issuer's header,
 * the parties' panels, the table of order lines grouped under order headings, the VAT breakdown with the
 * totals, and the footer with the issuer's legal identity on every page. A document is a `PdfLayout` subclass that puts these in order.
 *
 * What goes on the page is written by `PdfCanvas` (canvas.ts), which memoises shaping and font subsets
 * across documents; pdfkit keeps the document itself (pages, fonts, metadata, PDF/A).
 *
 * Bundling: pdfkit is given the parsed DejaVu font in its constructor (`font` option), so its default
 * Helvetica (AFM data loaded relative to pdfkit's own module) is never touched. What the renderers read at
 * run time lives in one folder, INVOICE_FONT_DIR in a bundle (see fonts.ts).
 */
import PDFDocument from 'pdfkit';
import type { Invoice, InvoiceIssuer } from '../../contracts/schemas/invoice.js';
import { ACCENT, ALERT, BAND, INK, MUTED, PANEL, RULE, WHITE } from '../palette.js';
import type { Catalogue, LineColumns } from '../texts/catalogue.js';
import {
  formatAddress,
  formatLocalDate,
  formatPercent,
  formatQuantity,
  type Language,
  labelledIdentifier,
  moneyFormatter,
  oneLineAddress,
  singleLine,
} from '../texts/format.js';
import { legalFormText, rcsText, sirenText } from '../texts/mentions.js';
import { PdfCanvas } from './canvas.js';
import { type DocumentFonts, loadDocumentFonts } from './fonts.js';
import { deflateStreamsFast } from './streams.js';

// ---- the grid: A4 in points ------------------------------------------------------------------------------

const PAGE_WIDTH = 595.28;
export const X0 = 42;
export const X1 = PAGE_WIDTH - 42;
export const CONTENT_WIDTH = X1 - X0;
const TOP = 40;
/** Lowest y any body content may reach; the footer lives below. */
const BOTTOM = 792;
const FOOTER_RULE_Y = 800;
const FOOTER_Y = 805;
/** The header's two columns: issuer identity on the left, title and dates on the right. */
const HEADER_RIGHT_WIDTH = 250;
const HEADER_LEFT_WIDTH = PAGE_WIDTH - 42 - HEADER_RIGHT_WIDTH - 12 - 42;
const CELL_PAD = 3;
const ROW_PAD = 2.5;

// ---- type ----------------------------------------------------------------------------------------------

export const BODY_SIZE = 8;
export const TABLE_SIZE = 7;
/** Column titles and the small capitals above a panel. */
const LABEL_SIZE = 7;
/** A section's title: the VAT breakdown, payment, legal notices. */
const SECTION_SIZE = 9;

type FontWeight = 'regular' | 'bold';

// ---- text breaking ---------------------------------------------------------------------------------------

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

/** Where a text may break: after spaces, and after the hyphens and slashes of prose words only. */
function breakTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.split(WORDS)) {
    if (IDENTIFIER_WORD.test(word)) tokens.push(word);
    else tokens.push(...word.split(PROSE_BREAKS));
  }
  return tokens;
}

// ---- the table of order lines ----------------------------------------------------------------------------

type ColumnKey = keyof LineColumns;

interface Column {
  key: ColumnKey;
  x: number;
  width: number;
  align: 'left' | 'right';
}

/** Every column a table of lines may have, in print order; the description takes what the others leave. */
const COLUMN_WIDTHS: ReadonlyArray<[ColumnKey, number, 'left' | 'right']> = [
  ['seller', 90, 'left'],
  ['sku', 76, 'left'],
  ['description', 0, 'left'],
  ['quantity', 34, 'right'],
  ['unitPrice', 54, 'right'],
  ['vatRate', 30, 'right'],
  ['net', 62, 'right'],
];

/** The columns that have a title, across the content width. */
function columnsOf(titles: Partial<LineColumns>): Column[] {
  const widths = COLUMN_WIDTHS.filter(([key]) => titles[key] !== undefined);
  const fixed = widths.reduce((sum, [, width]) => sum + width, 0);
  let x = X0;
  return widths.map(([key, width, align]) => {
    const column = { key, x, width: width || CONTENT_WIDTH - fixed, align };
    x += column.width;
    return column;
  });
}

/** A line as both documents print it: an order's line, or a credited one (no seller column). */
interface PrintedLine {
  sku: string;
  description: string;
  quantity: number;
  unitPriceMinor: number;
  vatRate: number;
  netMinor: number;
  sellerId?: string;
  /** The seller's legal name when the line was placed (absent on orders before sellers were registered). */
  sellerName?: string | undefined;
}

/** What a table cell prints: its lines, in the row's size or smaller (an identifier kept whole). */
interface Cell {
  lines: string[];
  /** Font size of the lines: the table's, or less for an identifier shrunk to fit. */
  size: number;
  /** Lines of the row left above it: a description under a SKU that spans the row's first line. */
  skip: number;
}

interface PreparedRow {
  /** Per column of the table, what is printed in it. */
  cells: Partial<Record<ColumnKey, Cell>>;
  height: number;
}

/**
 * A row of the VAT breakdown: a rate, or a category and rate (EN 16931 BG-23) with the category's short
 * label ("0 % autoliq.") when it is not the standard one.
 */
export interface VatRow {
  vatRate: number;
  baseMinor: number;
  vatMinor: number;
  label?: string | undefined;
}

/** An order's heading above its lines, measured. */
export interface OrderHeading {
  titleLines: string[];
  detailLines: string[];
  /** Title and details on one line. */
  inline: boolean;
  height: number;
}

// ---- blocks ----------------------------------------------------------------------------------------------

/** The first page's header: the issuer on the left, the document's title, number and dates on the right. */
interface HeaderBlock {
  issuerName: string;
  /** Lines under the issuer's name (`issuerIdentity`, and whatever the document adds). */
  identity: readonly string[];
  title: string;
  /** "n° 2026-000123", under the title; */
  number?: string | undefined;
  /** ...or, for a document without a number, why it has none. */
  notice?: string | undefined;
  /** Label and value, one per line. */
  facts: ReadonlyArray<readonly [string, string]>;
  /** Bold lines under the facts (the invoice a credit note corrects). */
  remarks?: readonly string[];
}

/** A panel of the parties' row: a small-capitals label, a name in bold, groups of lines. */
interface Panel {
  label: string;
  name?: string;
  groups: ReadonlyArray<readonly string[]>;
}

/** The issuer as every document's header prints it: legal form and capital, address, SIREN · RCS, VAT id. */
export function issuerIdentity(issuer: InvoiceIssuer, texts: Catalogue): string[] {
  return [
    legalFormText(issuer, texts),
    ...formatAddress(issuer.address, texts.language),
    `${sirenText(issuer.siren, texts)}${issuer.rcs ? ` · ${rcsText(issuer.rcs, texts)}` : ''}`,
    labelledIdentifier(texts.document.vatId, issuer.vatId, texts.language),
  ];
}

/** The buyer under its name: legal form, billing address, SIREN and VAT id when known. */
export function buyerIdentity(buyer: Invoice['buyer'], texts: Catalogue): string[] {
  return [
    ...(buyer.legalForm ? [buyer.legalForm] : []),
    ...formatAddress(buyer.billingAddress, texts.language),
    ...(buyer.siren ? [sirenText(buyer.siren, texts)] : []),
    ...(buyer.vatId ? [labelledIdentifier(texts.document.vatId, buyer.vatId, texts.language)] : []),
  ];
}

/** The issuer's legal identity on one line for the footer, with or without its address. */
export function footerIdentity(issuer: InvoiceIssuer, texts: Catalogue, withAddress: boolean): string {
  return [
    issuer.legalName,
    legalFormText(issuer, texts),
    ...(withAddress ? [oneLineAddress(issuer.address, texts.language)] : []),
    sirenText(issuer.siren, texts),
    ...(issuer.rcs ? [rcsText(issuer.rcs, texts)] : []),
    labelledIdentifier(texts.document.vatId, issuer.vatId, texts.language),
  ].join(' · ');
}

// ---- the document ----------------------------------------------------------------------------------------

interface PdfDocumentSpec {
  texts: Catalogue;
  /** Metadata (kept free of XML's special characters, see `xmpSafe`). */
  title: string;
  author: string;
  subject?: string;
  /** The local date the metadata is dated with: the same document renders to the same bytes. */
  date: string;
  /** Directory holding DejaVuSans.ttf and DejaVuSans-Bold.ttf. Default: INVOICE_FONT_DIR, then the package. */
  fontDir?: string | undefined;
}

/**
 * A new PDF/A-3b document (PDF 1.7, tagged, in the document's language) and its fonts, read once per
 * process. Unreadable fonts throw here, before anything is written.
 */
export function openPdf(spec: PdfDocumentSpec): { doc: PDFKit.PDFDocument; fonts: DocumentFonts } {
  const fonts = loadDocumentFonts(spec.fontDir);
  const language = spec.texts.language;
  const date = new Date(`${spec.date}T00:00:00.000Z`);
  const doc = new PDFDocument({
    // The first page is added once the document deflates its streams our way (deflateStreamsFast).
    autoFirstPage: false,
    size: 'A4',
    margins: { top: TOP, bottom: 10, left: X0, right: PAGE_WIDTH - X1 },
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    tagged: true,
    lang: spec.texts.bcp47,
    displayTitle: true,
    // Text is shaped and memoised by PdfCanvas (canvas.ts); pdfkit's own per-document cache of laid-out
    // words would only grow with every distinct word of a 10,000-order invoice.
    fontLayoutCache: false,
    // The parsed font itself (pdfkit accepts a fontkit font wherever it takes a path): the constructor
    // then never loads its default Helvetica from disk, which a bundle does not ship.
    font: fonts.regular as unknown as string,
    info: {
      Title: xmpSafe(spec.title, language),
      Author: xmpSafe(spec.author, language),
      ...(spec.subject === undefined ? {} : { Subject: xmpSafe(spec.subject, language) }),
      Creator: 'deferred-billing',
      Producer: 'PDFKit',
      CreationDate: date,
      ModDate: date,
    },
  });
  deflateStreamsFast(doc);
  doc.addPage();
  return { doc, fonts };
}

/**
 * pdfkit copies Title/Author/Subject into the XMP packet without XML escaping, and PDF/A wants the Info
 * dictionary and the XMP to say the same thing: keep the metadata free of XML's special characters.
 */
function xmpSafe(value: string, language: Language): string {
  return value.replace(/&/g, language === 'fr' ? 'et' : 'and').replace(/[<>]/g, '');
}

/** What a layout needs to know of its document beyond the catalogue. */
interface LayoutSpec {
  currency: string;
  issuerName: string;
  /** "Facture n° 2026-000123": in the footer of every page, beside the page number. */
  reference: string;
  /** Atop every page after the first, with the issuer's name when it fits. */
  continuedTitle: string;
  /** The footer's legal identity, fullest first: the first that fits two lines is printed. */
  footerIdentity: readonly string[];
  /** The titles of the lines table's columns; a column without one is left out. */
  columns: Partial<LineColumns>;
}

/**
 * Lays one document out on pages: holds the cursor, the page number and the style it has set, and draws
 * the kit's primitives and blocks. A document subclasses it and calls them in order.
 */
export abstract class PdfLayout {
  protected readonly lang: Language;
  protected readonly money: (amountMinor: number) => string;
  protected y = TOP;
  protected page = 1;
  private readonly fontNames: Record<FontWeight, string>;
  /** Ascender of each font per point of size. */
  private readonly ascender: Record<FontWeight, number>;
  private weight: FontWeight | undefined;
  private size: number | undefined;
  private color: string | undefined;
  private readonly wrapCache = new Map<string, string[]>();
  private readonly canvas: PdfCanvas;
  private readonly columns: readonly Column[];
  private readonly column: Partial<Record<ColumnKey, Column>>;
  /** Width inside each column's padding (0 for a column the table does not have). */
  private readonly inner: Record<ColumnKey, number>;
  /** Width a SKU too long for its column takes on the row's first line: across the description. */
  private readonly skuAcross: number;

  constructor(
    protected readonly doc: PDFKit.PDFDocument,
    protected readonly texts: Catalogue,
    fonts: DocumentFonts,
    private readonly spec: LayoutSpec,
  ) {
    this.lang = texts.language;
    this.money = moneyFormatter(spec.currency, texts.language);
    this.columns = columnsOf(spec.columns);
    this.column = Object.fromEntries(this.columns.map((column) => [column.key, column]));
    const inner = (key: ColumnKey) => (this.column[key]?.width ?? 0) - 2 * CELL_PAD;
    this.inner = {
      seller: inner('seller'),
      sku: inner('sku'),
      description: inner('description'),
      quantity: inner('quantity'),
      unitPrice: inner('unitPrice'),
      vatRate: inner('vatRate'),
      net: inner('net'),
    };
    this.skuAcross = (this.column.description?.x ?? X0) + this.inner.description - (this.column.sku?.x ?? X0);
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

  // ---- text primitives -----------------------------------------------------------------------------------

  protected style(weight: FontWeight, size: number, color: string): void {
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
  protected put(text: string, x: number, y: number): void {
    this.canvas.text(text, x, y, this.size ?? BODY_SIZE, this.color ?? INK);
  }

  /** Width of a text in the current style. */
  protected widthOf(text: string): number {
    return this.canvas.width(text, this.size ?? BODY_SIZE);
  }

  /** One line of text ending at x. */
  protected putRight(text: string, right: number, y: number): void {
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
   * word 500 times). Only for what fits no line whole: never on the path of an ordinary document.
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

  protected lineHeight(): number {
    return this.doc.currentLineHeight(true);
  }

  /**
   * A text broken into lines that fit a width, in the current style: greedy, at spaces, and after hyphens
   * and slashes of prose words (never inside an identifier: see IDENTIFIER_WORD); a word wider than the
   * line is cut where it overflows. One measuring pass (pdfkit's own
   * wrapper measures, then measures again to draw), and the result is reused for the row height and the
   * drawing; results are cached per document, bounded.
   */
  protected wrap(text: string, width: number): string[] {
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
  protected heightOf(text: string, width: number): number {
    return this.wrap(text, width).length * this.lineHeight();
  }

  /** Lines from (x, y), one under the other; returns their height. */
  protected putLines(lines: readonly string[], x: number, y: number): number {
    const lineHeight = this.lineHeight();
    lines.forEach((line, index) => {
      this.put(line, x, y + index * lineHeight);
    });
    return lines.length * lineHeight;
  }

  /** Text wrapped in a width from (x, y); returns its height. */
  protected putWrapped(text: string, x: number, y: number, width: number): number {
    return this.putLines(this.wrap(text, width), x, y);
  }

  protected fillRect(x: number, y: number, width: number, height: number, color: string): void {
    this.canvas.rect(x, y, width, height, color);
  }

  protected rule(y: number, color = RULE, width = 0.4, x0 = X0, x1 = X1): void {
    this.canvas.rule(x0, x1, y, width, color);
  }

  /** A local date as the document's language writes it; a dash for a date not set (a draft's). */
  protected date(localDate: string | undefined): string {
    return localDate ? formatLocalDate(localDate, this.lang) : '—';
  }

  /** A section's title (the VAT breakdown, payment, legal notices), the cursor moved below it. */
  protected sectionTitle(title: string): void {
    this.style('bold', SECTION_SIZE, ACCENT);
    this.put(title, X0, this.y);
    this.y += 16;
  }

  /** The height `paragraph` takes for a text. */
  protected paragraphHeight(text: string): number {
    this.style('regular', BODY_SIZE, INK);
    return this.heightOf(text, CONTENT_WIDTH);
  }

  /** A paragraph of body text across the page, the cursor moved below it (plus `after`). */
  protected paragraph(text: string, after = 0): void {
    this.style('regular', BODY_SIZE, INK);
    this.y += this.putWrapped(text, X0, this.y, CONTENT_WIDTH) + after;
  }

  // ---- pages ---------------------------------------------------------------------------------------------

  /** The first page's header, the cursor moved below it. */
  protected header(block: HeaderBlock): void {
    // Issuer identity, left.
    let y = TOP;
    this.style('bold', 14, ACCENT);
    y += this.putWrapped(block.issuerName, X0, y, HEADER_LEFT_WIDTH) + 3;
    this.style('regular', BODY_SIZE, INK);
    const leading = this.lineHeight() + 0.5;
    for (const line of block.identity) {
      for (const part of this.wrap(line, HEADER_LEFT_WIDTH)) {
        this.put(part, X0, y);
        y += leading;
      }
    }
    const leftBottom = y;

    // Title, number and dates, right.
    y = TOP - 4;
    this.style('bold', 22, ACCENT);
    this.putRight(block.title, X1, y);
    y += 30;
    if (block.number) {
      this.style('bold', 12, INK);
      this.putRight(block.number, X1, y);
      y += 20;
    } else if (block.notice) {
      this.style('bold', BODY_SIZE, ALERT);
      for (const line of this.wrap(block.notice, 220)) {
        this.putRight(line, X1, y);
        y += this.lineHeight();
      }
      y += 6;
    }
    const labelX = X1 - HEADER_RIGHT_WIDTH;
    for (const [label, value] of block.facts) {
      this.style('regular', BODY_SIZE, MUTED);
      this.put(label, labelX, y);
      this.style('bold', BODY_SIZE, INK);
      this.putRight(value, X1, y);
      y += leading + 1;
    }
    for (const remark of block.remarks ?? []) {
      this.style('bold', BODY_SIZE, INK);
      for (const line of this.wrap(remark, HEADER_RIGHT_WIDTH)) {
        this.putRight(line, X1, y);
        y += leading + 1;
      }
    }
    this.y = Math.max(leftBottom, y) + 12;
  }

  /** One or two panels side by side (the buyer, the delivery), on a tinted ground; the cursor below them. */
  protected panels(panels: readonly Panel[]): void {
    const gap = 12;
    const width = (CONTENT_WIDTH - gap) / 2;
    const pad = 8;
    const top = this.y;
    const innerWidth = width - 2 * pad;
    this.style('regular', BODY_SIZE, INK);
    const leading = this.lineHeight() + 0.5;
    const groups = panels.map((panel) =>
      panel.groups.map((lines) => lines.flatMap((line) => this.wrap(line, innerWidth))),
    );
    this.style('bold', 10, INK);
    const names = panels.map((panel) => (panel.name ? this.wrap(panel.name, innerWidth) : []));
    const nameLineHeight = this.lineHeight();
    let height = 0;
    panels.forEach((_, index) => {
      let panelHeight = 14;
      const nameLines = names[index] ?? [];
      if (nameLines.length > 0) panelHeight = panelHeight + nameLines.length * nameLineHeight + 2;
      (groups[index] ?? []).forEach((lines, group) => {
        if (group > 0) panelHeight += 6;
        panelHeight += lines.length * leading;
      });
      height = Math.max(height, panelHeight);
    });
    height = height + 2 * pad - 2;
    const lefts = [X0, X0 + width + gap];
    panels.forEach((_, index) => {
      this.fillRect(lefts[index] ?? X0, top, width, height, PANEL);
    });
    panels.forEach((panel, index) => {
      const x = (lefts[index] ?? X0) + pad;
      let y = top + pad;
      this.style('bold', LABEL_SIZE, MUTED);
      this.put(panel.label.toUpperCase(), x, y);
      y += 14;
      const nameLines = names[index] ?? [];
      if (nameLines.length > 0) {
        this.style('bold', 10, INK);
        y += this.putLines(nameLines, x, y) + 2;
      }
      this.style('regular', BODY_SIZE, INK);
      (groups[index] ?? []).forEach((lines, group) => {
        if (group > 0) y += 6;
        lines.forEach((line, row) => {
          this.put(line, x, y + row * leading);
        });
        y += lines.length * leading;
      });
    });
    this.y = top + height + 12;
  }

  /** The issuer's legal identity in small print, the document's reference and the page number. */
  protected footer(): void {
    this.rule(FOOTER_RULE_Y);
    this.style('regular', 6.5, MUTED);
    const width = CONTENT_WIDTH - 120;
    const variants = this.spec.footerIdentity;
    // Two lines at most below the rule: the first identity that fits, else the shortest cut to two.
    let lines: string[] = [];
    for (const identity of variants) {
      lines = this.wrap(identity, width);
      if (lines.length <= 2) break;
    }
    this.putLines(lines.slice(0, 2), X0, FOOTER_Y);
    this.putRight(`${this.spec.reference} · ${this.texts.document.page(this.page)}`, X1, FOOTER_Y);
  }

  /** Moves to a new page unless `height` more fits on this one: what must stay together (totals, mentions). */
  protected keepTogether(height: number): void {
    if (this.y + height > BOTTOM) this.newPage(false);
  }

  /** Closes the page with its footer and opens the next one with a short reminder of the document. */
  protected newPage(inTable: boolean): void {
    this.footer();
    this.doc.addPage();
    this.page += 1;
    // The style is chosen afresh on the new page (the canvas writes its graphics state again there).
    this.weight = undefined;
    this.size = undefined;
    this.color = undefined;
    this.y = TOP;
    this.style('bold', BODY_SIZE, ACCENT);
    const reminder = this.spec.continuedTitle;
    this.put(reminder, X0, this.y);
    const reminderWidth = this.widthOf(reminder);
    this.style('regular', BODY_SIZE, MUTED);
    const issuerName = this.spec.issuerName;
    if (reminderWidth + 24 + this.widthOf(issuerName) <= CONTENT_WIDTH) {
      this.putRight(issuerName, X1, this.y);
    }
    this.y += 20;
    if (inTable) this.tableHeader();
  }

  // ---- the table of lines --------------------------------------------------------------------------------

  /** Column titles on a band; repeated at the top of every page the table runs onto. */
  protected tableHeader(): void {
    const titles = this.spec.columns;
    this.style('bold', LABEL_SIZE, INK);
    const lineHeight = this.lineHeight();
    let lines = 1;
    for (const column of this.columns) {
      const height = this.heightOf(titles[column.key] ?? '', column.width - 2 * CELL_PAD);
      lines = Math.max(lines, Math.round(height / lineHeight));
    }
    const height = lines * lineHeight + 2 * ROW_PAD + 2;
    this.fillRect(X0, this.y, CONTENT_WIDTH, height, BAND);
    this.style('bold', LABEL_SIZE, INK);
    for (const column of this.columns) {
      const width = column.width - 2 * CELL_PAD;
      const y = this.y + ROW_PAD + 1;
      const lines = this.wrap(titles[column.key] ?? '', width);
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

  /**
   * An order's heading: its title in bold ("Commande REF du 04/11/2026"), then its details (id, purchase
   * order, own delivery address); on one line when they fit, else the details (and if need be the title)
   * wrapped below.
   */
  protected orderHeading(title: string, details: string): OrderHeading {
    const { texts } = this;
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

  /** An order's lines under its heading; the heading repeated, marked continued, after a page break. */
  protected orderLines(heading: OrderHeading, lines: readonly PrintedLine[]): void {
    lines.forEach((line, index) => {
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
  private prepareRow(line: PrintedLine): PreparedRow {
    this.style('regular', TABLE_SIZE, INK);
    const { inner, skuAcross } = this;
    const text = (lines: string[], skip = 0): Cell => ({ lines, size: TABLE_SIZE, skip });
    const skuText = singleLine(line.sku);
    const skuInColumn = this.fitWhole(skuText, inner.sku, IDENTIFIER_MIN_SIZE_IN_COLUMN);
    const sku =
      skuInColumn ??
      this.fitWhole(skuText, skuAcross, IDENTIFIER_MIN_SIZE) ??
      this.cutIdentifier(skuText, skuAcross);
    const cells: Partial<Record<ColumnKey, Cell>> = {
      seller: this.column.seller ? this.sellerCell(line, inner.seller) : undefined,
      sku,
      description: text(
        this.wrap(singleLine(line.description), inner.description),
        skuInColumn ? 0 : sku.lines.length,
      ),
      quantity: text([formatQuantity(line.quantity, this.lang)]),
      unitPrice: text([this.money(line.unitPriceMinor)]),
      vatRate: text([formatPercent(line.vatRate, this.lang)]),
      net: text([this.money(line.netMinor)]),
    };
    let lines = 1;
    for (const cell of Object.values(cells)) {
      if (cell) lines = Math.max(lines, cell.skip + cell.lines.length);
    }
    return { cells, height: lines * this.lineHeight() + 2 * ROW_PAD };
  }

  /**
   * The seller as documents name it: the legal name the order line was placed with, wrapped like prose;
   * an order placed before sellers were registered has only the id, printed whole like any identifier.
   */
  private sellerCell(line: PrintedLine, width: number): Cell {
    if (line.sellerName) {
      return { lines: this.wrap(singleLine(line.sellerName), width), size: TABLE_SIZE, skip: 0 };
    }
    const sellerId = singleLine(line.sellerId ?? '');
    return this.fitWhole(sellerId, width, IDENTIFIER_MIN_SIZE) ?? this.cutIdentifier(sellerId, width);
  }

  private row(row: PreparedRow): void {
    this.style('regular', TABLE_SIZE, INK);
    const y = this.y + ROW_PAD;
    const lineHeight = this.lineHeight();
    for (const column of this.columns) {
      const cell = row.cells[column.key];
      if (!cell) continue;
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

  // ---- VAT breakdown and totals --------------------------------------------------------------------------

  /** Height of `vatAndTotals` for so many VAT rates and total lines, the space after it included. */
  protected vatAndTotalsHeight(rates: number, totals: number): number {
    this.style('regular', TABLE_SIZE, INK);
    const rowHeight = this.lineHeight() + 2 * ROW_PAD + 1;
    const vatHeight = 16 + rowHeight * (rates + 1);
    const totalsHeight = 16 + rowHeight * totals + 26;
    return 14 + Math.max(vatHeight, totalsHeight) + 16;
  }

  /**
   * The VAT breakdown per rate (EN 16931 BG-23) on the left, the totals on the right ending with the
   * amount that matters (due, credited) on an accent band: every figure as recorded, never recomputed.
   */
  protected vatAndTotals(
    breakdown: readonly VatRow[],
    totals: ReadonlyArray<readonly [string, number]>,
    [dueLabel, dueMinor]: readonly [string, number],
  ): void {
    const { texts } = this;
    this.style('regular', TABLE_SIZE, INK);
    const rowHeight = this.lineHeight() + 2 * ROW_PAD + 1;
    this.y += 14;
    const top = this.y;

    // VAT breakdown per rate, left.
    const vatWidth = 262;
    const columns = [
      { label: texts.document.vatColumns.rate, right: X0 + 60 },
      { label: texts.document.vatColumns.base, right: X0 + 166 },
      { label: texts.document.vatColumns.vat, right: X0 + vatWidth - CELL_PAD },
    ];
    let y = top;
    this.style('bold', SECTION_SIZE, ACCENT);
    this.put(texts.document.vatBreakdown, X0, y);
    y += 16;
    this.fillRect(X0, y, vatWidth, rowHeight, BAND);
    this.style('bold', LABEL_SIZE, INK);
    for (const column of columns) this.putRight(column.label, column.right, y + ROW_PAD + 1);
    y += rowHeight;
    this.style('regular', TABLE_SIZE, INK);
    for (const entry of breakdown) {
      const cells = [
        entry.label
          ? `${formatPercent(entry.vatRate, this.lang)} ${entry.label}`
          : formatPercent(entry.vatRate, this.lang),
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
    this.put(dueLabel, totalsX + CELL_PAD + 2, y + 6);
    this.putRight(this.money(dueMinor), X1 - CELL_PAD - 4, y + 6);
    y += 22;
    this.y = Math.max(vatBottom, y) + 16;
  }
}
