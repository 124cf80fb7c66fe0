/**
 * The invoice's drawing surface: text, filled rectangles and rules written straight into pdfkit's page
 * content, at the speed an invoice run needs. pdfkit keeps the document (pages, fonts, resources, metadata,
 * PDF/A); this writes what goes on the pages.
 *
 * The renderer lays every line out itself (it wraps, aligns and places each cell), so it only ever needs
 * "this string, one line, at (x, y)". pdfkit's general `text()` costs several times that: it re-measures
 * the string, splits it into words, lays each word out with fontkit, and writes eight operators per
 * string, with colours at full float precision. The costs that dominate an invoice are paid here once per
 * process instead of once per document:
 *
 * - Shaping: fontkit's layout of a string (glyphs, advances, kerning) depends only on the font and the
 *   string, so it is memoised across documents (bounded). Measuring a string is then a map lookup.
 * - Embedding: PDF/A embeds the glyphs used. Each document's font subset is primed with the same glyphs in
 *   the same order (`PRESET_CHARACTERS`: what invoices print in French and English), so most documents
 *   embed the very same subset, whose font program is encoded and deflated once; and a string made of
 *   preset glyphs has the same codes in every document, so its TJ operand is built once. A character
 *   outside the preset is added to the document's subset after it, as pdfkit would.
 *
 * Each string is one text object (BT, Tm, Tf when it changed, one TJ of two-byte codes with the kerning
 * adjustments, ET), written in one go; its glyphs are registered in the document's subset, widths and
 * ToUnicode map exactly as pdfkit's `EmbeddedFont.encode` does, so text extraction, copy-paste and PDF/A
 * validation see the same document. A string whose glyphs need vertical or horizontal offsets (combining
 * marks) goes through pdfkit's own `text()`.
 *
 * This reads a few private fields of pdfkit 0.20 (the current font's subset, widths and unicode maps, its
 * `embed`; the page's font resources). `PdfCanvas` checks they are there on every new font and throws at
 * once if a pdfkit upgrade changed them: the PDF tests then fail loudly instead of producing a broken file.
 */
import { deflateSync } from 'node:zlib';
import type * as fontkit from 'fontkit';

/** What every invoice prints, in subset order: ASCII, French letters, and the typographic signs used. */
const PRESET_CHARACTERS =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~' +
  'ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆàâäçéèêëîïôöùûüÿœæ' +
  '\u00a0\u202f€£°·×«»‘’“”–—…•§';

/** Shaped strings kept per font: a warm container's vocabulary; a few MB at most. */
const SHAPE_MEMO_LIMIT = 4_000;
/** Kerning pairs kept per font: every pair of an alphabet's letters and signs, a few MB at most. */
const KERNING_MEMO_LIMIT = 50_000;
/** Font programs kept per font (the preset subset's, and a few with extra characters). */
const PROGRAM_MEMO_LIMIT = 8;

/** A string laid out once: what drawing and measuring it needs, in 1/1000 of the font size. */
interface Shaped {
  glyphs: fontkit.Glyph[];
  /** TJ adjustment after each glyph (kerning), 0 for none. */
  adjustments: number[];
  /** Advance of the whole string. */
  width: number;
  /** Some glyph needs an offset (combining marks): draw through pdfkit. */
  offsets: boolean;
  /** The TJ operand when every glyph is a preset one (same code in every document), else undefined. */
  preset: string | undefined;
}

/** The preset glyphs of a font, in the order every document's subset receives them. */
interface Preset {
  /** Glyph id to its code (subset glyph id) in every primed document. */
  codes: Map<number, number>;
  glyphs: Array<{ glyph: fontkit.Glyph; codePoint: number }>;
}

/** A subset's font program, deflated, and its decoded length. */
interface FontProgram {
  length: number;
  deflated: Uint8Array;
}

/** pdfkit's PDFReference, as far as the font file needs. */
interface PdfReference {
  compress: boolean;
  data: Record<string, unknown>;
}

/** pdfkit's EmbeddedFont, the fields this module relies on. */
interface EmbeddedFont {
  id: string;
  document: { ref(data?: object): PdfReference };
  embed(): void;
  scale: number;
  subset: { glyphs: number[]; includeGlyph(glyphId: number): number; encode(): Uint8Array };
  widths: number[];
  unicode: number[][];
  ref(): unknown;
}

interface PdfkitInternals {
  _font: EmbeddedFont;
  page: { fonts: Record<string, unknown> };
  addContent(data: string | Uint8Array): unknown;
  addPage(options?: unknown): unknown;
  flushPages(): void;
}

const shapeMemos = new WeakMap<fontkit.Font, Map<string, Shaped>>();
/** Per font: a character's glyph (keyed by code point); the kerning of a pair (font units). */
const characterMemos = new WeakMap<fontkit.Font, Map<number, fontkit.Glyph>>();
/** Keyed by `left * PAIR_KEY + right`: a number, not a string to build and hash for every pair. */
const kerningMemos = new WeakMap<fontkit.Font, Map<number, number>>();
const PAIR_KEY = 0x110000;
const programMemos = new WeakMap<fontkit.Font, Map<string, FontProgram>>();
const presets = new WeakMap<fontkit.Font, Preset>();

/** Numbers in content streams: a thousandth of a point (or of the font size, for kerning) is plenty. */
const num = (n: number): number => Math.round(n * 1e3) / 1e3;

function memoFor<K extends object, M, V>(memos: WeakMap<K, Map<M, V>>, key: K): Map<M, V> {
  let memo = memos.get(key);
  if (!memo) {
    memo = new Map();
    memos.set(key, memo);
  }
  return memo;
}

/**
 * A string laid out in a font, memoised per font across documents.
 *
 * Text in the alphabetic scripts an invoice prints (Latin, Greek, Cyrillic, with their punctuation and
 * currency signs, precomposed letters only) is set glyph by glyph: each character's glyph from the font's
 * character map, and the font's kerning between each pair of neighbours, as fontkit computes it for that
 * pair alone (memoised per pair). That is what fontkit's full OpenType layout gives such text, except for
 * ligatures (fi, fl), which are not formed: every character keeps its own glyph, which also keeps copying
 * text out of the PDF exact. Anything else (combining marks, scripts that need shaping) goes through
 * fontkit's full layout, string by string; a full layout of every new string would cost more than the
 * rest of the rendering together.
 */
function shape(font: fontkit.Font, text: string): Shaped {
  const memo = memoFor(shapeMemos, font);
  let shaped = memo.get(text);
  if (shaped) return shaped;
  shaped = setGlyphByGlyph(font, text) ?? layOut(font, text);
  if (memo.size >= SHAPE_MEMO_LIMIT) memo.clear();
  memo.set(text, shaped);
  return shaped;
}

/** Characters set glyph by glyph: alphabetic scripts without combining marks, and their signs. */
function isAlphabetic(codePoint: number): boolean {
  return (
    codePoint < 0x0300 || // Basic Latin, Latin-1, Latin Extended-A/B, IPA, spacing modifiers
    (codePoint >= 0x0370 && codePoint <= 0x0482) || // Greek, Cyrillic (before its combining marks)
    (codePoint >= 0x048a && codePoint <= 0x052f) ||
    (codePoint >= 0x1e00 && codePoint <= 0x1fff) || // Latin Extended Additional, Greek Extended
    (codePoint >= 0x2000 && codePoint <= 0x206f) || // General Punctuation (narrow no-break space…)
    (codePoint >= 0x20a0 && codePoint <= 0x20cf) || // Currency Symbols (€)
    (codePoint >= 0x2100 && codePoint <= 0x214f) // Letterlike Symbols (№, ™)
  );
}

function setGlyphByGlyph(font: fontkit.Font, text: string): Shaped | undefined {
  const characters = memoFor(characterMemos, font);
  const pairs = memoFor(kerningMemos, font);
  const scale = 1000 / font.unitsPerEm;
  const glyphs: fontkit.Glyph[] = [];
  const codePoints: number[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0) as number;
    if (!isAlphabetic(codePoint)) return undefined;
    let glyph = characters.get(codePoint);
    if (!glyph) {
      const found = font.glyphForCodePoint(codePoint);
      glyph = { id: found.id, advanceWidth: found.advanceWidth, codePoints: [codePoint] };
      characters.set(codePoint, glyph);
    }
    glyphs.push(glyph);
    codePoints.push(codePoint);
  }
  const adjustments: number[] = [];
  let width = 0;
  glyphs.forEach((glyph, index) => {
    const next = codePoints[index + 1];
    const kerning = next === undefined ? 0 : kerningOf(font, pairs, codePoints[index] as number, next);
    adjustments.push(num(kerning * scale));
    width += (glyph.advanceWidth + kerning) * scale;
  });
  return finish(font, glyphs, adjustments, width, false);
}

/** The kerning fontkit applies between two characters set side by side (font units), memoised. */
function kerningOf(font: fontkit.Font, pairs: Map<number, number>, left: number, right: number): number {
  const key = left * PAIR_KEY + right;
  let kerning = pairs.get(key);
  if (kerning === undefined) {
    const run = font.layout(String.fromCodePoint(left, right));
    const first = run.glyphs[0];
    // A ligature or a substituted glyph: the pair is not set as two plain glyphs, no kerning to take.
    const plain =
      run.glyphs.length === 2 &&
      first?.id === font.glyphForCodePoint(left).id &&
      run.glyphs[1]?.id === font.glyphForCodePoint(right).id;
    kerning = plain && first ? (run.positions[0]?.xAdvance ?? first.advanceWidth) - first.advanceWidth : 0;
    if (pairs.size >= KERNING_MEMO_LIMIT) pairs.clear();
    pairs.set(key, kerning);
  }
  return kerning;
}

/** fontkit's full OpenType layout of a string. */
function layOut(font: fontkit.Font, text: string): Shaped {
  const run = font.layout(text);
  const scale = 1000 / font.unitsPerEm;
  const adjustments: number[] = [];
  let width = 0;
  let offsets = false;
  run.glyphs.forEach((glyph, index) => {
    const position = run.positions[index];
    const xAdvance = (position?.xAdvance ?? glyph.advanceWidth) * scale;
    if (position?.xOffset || position?.yOffset) offsets = true;
    adjustments.push(num(xAdvance - glyph.advanceWidth * scale));
    width += xAdvance;
  });
  return finish(font, run.glyphs, adjustments, width, offsets);
}

function finish(
  font: fontkit.Font,
  glyphs: fontkit.Glyph[],
  adjustments: number[],
  width: number,
  offsets: boolean,
): Shaped {
  const { codes } = presetOf(font);
  const presetCodes = glyphs.map((glyph) => codes.get(glyph.id));
  const preset = presetCodes.every((code) => code !== undefined)
    ? showOperand(presetCodes as number[], adjustments)
    : undefined;
  return { glyphs, adjustments, width, offsets, preset };
}

/** A font's preset glyphs: after .notdef (code 0), one per preset character the font has, in order. */
function presetOf(font: fontkit.Font): Preset {
  let preset = presets.get(font);
  if (!preset) {
    preset = { codes: new Map([[0, 0]]), glyphs: [] };
    for (const char of PRESET_CHARACTERS) {
      const codePoint = char.codePointAt(0) as number;
      const glyph = font.glyphForCodePoint(codePoint);
      if (glyph.id === 0 || preset.codes.has(glyph.id)) continue;
      preset.codes.set(glyph.id, preset.codes.size);
      preset.glyphs.push({ glyph, codePoint });
    }
    presets.set(font, preset);
  }
  return preset;
}

/**
 * The operand of TJ for glyph codes (two bytes each, Identity-H) and the kerning after each glyph: literal
 * strings of raw bytes, half the size of hexadecimal ones (less to write and to deflate).
 */
function showOperand(codes: readonly number[], adjustments: readonly number[]): string {
  // The bytes of each run of glyphs between two adjustments go into one String.fromCharCode call: a
  // string built byte by byte is a rope of one-character pieces that every later use has to flatten.
  let operand = '[(';
  const bytes: number[] = [];
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] as number;
    pushLiteralByte(bytes, code >> 8);
    pushLiteralByte(bytes, code & 0xff);
    const adjustment = adjustments[i] ?? 0;
    if (adjustment !== 0 && i < codes.length - 1) {
      operand += `${String.fromCharCode(...bytes)}) ${-adjustment} (`;
      bytes.length = 0;
    }
  }
  return `${operand}${String.fromCharCode(...bytes)})]`;
}

/** A byte in a PDF literal string: parentheses, backslash and line ends escaped. */
function pushLiteralByte(bytes: number[], byte: number): void {
  switch (byte) {
    case 0x28: // (
    case 0x29: // )
    case 0x5c: // \
      bytes.push(0x5c, byte);
      return;
    case 0x0a:
      bytes.push(0x5c, 0x6e); // \n
      return;
    case 0x0d:
      bytes.push(0x5c, 0x72); // \r
      return;
    default:
      bytes.push(byte);
  }
}

/** A colour as PDF operands ("0.122 0.227 0.373"), from "#1f3a5f". */
function rgb(hex: string): string {
  let operands = COLOURS.get(hex);
  if (!operands) {
    const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (!match) throw new Error(`colour ${hex} is not #rrggbb`);
    operands = match
      .slice(1)
      .map((pair) => num(Number.parseInt(pair, 16) / 255))
      .join(' ');
    COLOURS.set(hex, operands);
  }
  return operands;
}
const COLOURS = new Map<string, string>();

/**
 * The invoice's drawing surface on one pdfkit document: single-line text in the fonts registered with
 * `doc.registerFont`, filled rectangles and horizontal rules, in pdfkit's page coordinates (points from
 * the top left). pdfkit keeps the document: pages, resources, fonts, metadata, PDF/A.
 *
 * Graphics and text state (fill and stroke colours, line width, font and size) are written only when they
 * change within a page's content stream; a new page starts from nothing.
 */
export class PdfCanvas {
  private readonly doc: PdfkitInternals;
  private readonly primed = new WeakSet<EmbeddedFont>();
  private current: { embedded: EmbeddedFont; font: fontkit.Font; ascent: number } | undefined;
  /** The page the state below was written to. */
  private page: unknown;
  private fill: string | undefined;
  private stroke: string | undefined;
  private lineWidth: number | undefined;
  private textFont: string | undefined;
  /** The current page's operators not yet handed to pdfkit (latin1: one character per byte). */
  private pending = '';
  /** pdfkit's own `addContent`, which the document's is replaced by (see the constructor). */
  private readonly addContent: (data: string | Uint8Array) => unknown;

  constructor(
    private readonly pdf: PDFKit.PDFDocument,
    private readonly fonts: Readonly<Record<string, fontkit.Font>>,
  ) {
    this.doc = pdf as unknown as PdfkitInternals;
    const doc = this.doc;
    const { addContent, addPage, flushPages } = doc;
    if (
      typeof addContent !== 'function' ||
      typeof addPage !== 'function' ||
      typeof flushPages !== 'function'
    ) {
      throw new Error(
        'pdfkit internals changed: the invoice text writer needs addContent/addPage/flushPages',
      );
    }
    this.addContent = addContent.bind(doc);
    // The canvas's operators are kept as one string per page and handed to pdfkit in one write (each write
    // is converted to bytes and buffered on its own). Anything else writing to the page (pdfkit's own
    // text()), a new page and the end of the document hand the pending operators over first, so the
    // content stream keeps its order and its bytes: pdfkit concatenates a page's writes before deflating.
    doc.addContent = (data) => {
      this.flush();
      return addContent.call(doc, data);
    };
    doc.addPage = (options) => {
      this.flush();
      return addPage.call(doc, options);
    };
    doc.flushPages = () => {
      this.flush();
      flushPages.call(doc);
    };
  }

  /** Selects a registered font (pdfkit's `font(name)`), priming its subset on the first use. */
  font(name: string): void {
    const font = this.fonts[name];
    if (!font) throw new Error(`font ${name} is not one of this document's fonts`);
    this.pdf.font(name);
    const embedded = this.doc._font;
    if (!this.primed.has(embedded)) this.prime(embedded, font);
    // Ascender per point of size (fontkit reads it from the font's tables on every access).
    this.current = { embedded, font, ascent: font.ascent / font.unitsPerEm };
  }

  /** Width of a string in points at a font size, in the current font. */
  width(text: string, size: number): number {
    return (shape(this.selected().font, text).width * size) / 1000;
  }

  /**
   * A string on one line, in the current font, with the top of its line box at (x, y): where pdfkit's
   * `text(s, x, y, { lineBreak: false })` puts it.
   */
  text(text: string, x: number, y: number, size: number, colour: string): void {
    if (text.length === 0) return;
    const { embedded, font, ascent } = this.selected();
    const shaped = shape(font, text);
    let content = this.fillColour(colour);
    if (shaped.offsets) {
      this.write(content);
      this.pdf.fontSize(size).text(text, x, y, { lineBreak: false });
      return;
    }
    const page = this.doc.page;
    if (page.fonts[embedded.id] == null) page.fonts[embedded.id] = embedded.ref();
    // pdfkit's page space is flipped (y down, set once per page); the text matrix flips the glyphs back
    // upright, with the baseline at the ascender below the top of the line.
    const baseline = y + ascent * size;
    content += `BT\n1 0 0 -1 ${num(x)} ${num(baseline)} Tm\n`;
    const textFont = `/${embedded.id} ${num(size)} Tf\n`;
    if (textFont !== this.textFont) {
      content += textFont;
      this.textFont = textFont;
    }
    const operand =
      shaped.preset ??
      showOperand(
        shaped.glyphs.map((glyph) => include(embedded, glyph)),
        shaped.adjustments,
      );
    this.write(`${content}${operand} TJ\nET\n`);
  }

  /** A filled rectangle. */
  rect(x: number, y: number, width: number, height: number, colour: string): void {
    this.write(`${this.fillColour(colour)}${num(x)} ${num(y)} ${num(width)} ${num(height)} re\nf\n`);
  }

  /** A horizontal rule. */
  rule(x0: number, x1: number, y: number, width: number, colour: string): void {
    this.sync();
    let content = '';
    if (width !== this.lineWidth) {
      content += `${num(width)} w\n`;
      this.lineWidth = width;
    }
    if (colour !== this.stroke) {
      content += `${rgb(colour)} RG\n`;
      this.stroke = colour;
    }
    this.write(`${content}${num(x0)} ${num(y)} m\n${num(x1)} ${num(y)} l\nS\n`);
  }

  private fillColour(colour: string): string {
    this.sync();
    let content = '';
    if (colour !== this.fill) {
      content += `${rgb(colour)} rg\n`;
      this.fill = colour;
    }
    return content;
  }

  /** Forgets the written state when pdfkit has moved on to a new page. */
  private sync(): void {
    if (this.doc.page !== this.page) {
      this.page = this.doc.page;
      this.fill = undefined;
      this.stroke = undefined;
      this.lineWidth = undefined;
      this.textFont = undefined;
    }
  }

  /** Appended to the page's pending operators (see the constructor). */
  private write(content: string): void {
    this.pending += content;
  }

  /**
   * The pending operators to pdfkit, as bytes (pdfkit turns a string into bytes one character at a time
   * in JavaScript, and adds a line end).
   */
  private flush(): void {
    if (this.pending) {
      const content = this.pending;
      this.pending = '';
      this.addContent(Buffer.from(content, 'latin1'));
    }
  }

  private selected(): { embedded: EmbeddedFont; font: fontkit.Font; ascent: number } {
    if (!this.current) throw new Error('PdfCanvas: select a font before drawing text');
    return this.current;
  }

  /**
   * pdfkit's `embed` (called once per font when the document ends) writes the subset's font program into
   * the first object it creates and deflates it there. Here that object is told the program is already
   * deflated (Filter set, compression off, Length1 the decoded size as the PDF spec asks of TrueType
   * programs), and the memoised program is handed over.
   */
  private memoiseFontProgram(embedded: EmbeddedFont, font: fontkit.Font): void {
    const { subset } = embedded;
    const encode = subset.encode;
    const embed = embedded.embed;
    embedded.embed = function embedMemoisedProgram(this: EmbeddedFont) {
      const program = fontProgram(font, subset, encode);
      const document = this.document;
      const ref = document.ref;
      document.ref = function fontFileRef(this: unknown, data?: object) {
        document.ref = ref;
        const fontFile = ref.call(document, data);
        if (typeof fontFile?.compress !== 'boolean' || typeof fontFile.data !== 'object') {
          throw new Error('pdfkit internals changed: the font file object has no compress/data');
        }
        fontFile.compress = false;
        fontFile.data.Filter = 'FlateDecode';
        fontFile.data.Length1 = program.length;
        return fontFile;
      };
      subset.encode = () => program.deflated;
      try {
        embed.call(this);
      } finally {
        document.ref = ref;
        subset.encode = encode;
      }
    };
  }

  /**
   * Gives a document's new font the preset glyphs, in order, and memoises the encoding of its subset.
   * Throws when pdfkit's embedded font no longer has the fields this relies on.
   */
  private prime(embedded: EmbeddedFont, font: fontkit.Font): void {
    const subset = embedded?.subset;
    if (
      typeof embedded?.id !== 'string' ||
      typeof embedded.scale !== 'number' ||
      typeof embedded.ref !== 'function' ||
      !Array.isArray(embedded.widths) ||
      !Array.isArray(embedded.unicode) ||
      !Array.isArray(subset?.glyphs) ||
      typeof subset.includeGlyph !== 'function' ||
      typeof subset.encode !== 'function' ||
      typeof embedded.embed !== 'function' ||
      typeof embedded.document?.ref !== 'function' ||
      typeof this.doc.addContent !== 'function'
    ) {
      throw new Error(
        'pdfkit internals changed: the invoice text writer needs EmbeddedFont subset/widths/unicode',
      );
    }
    for (const { glyph, codePoint } of presetOf(font).glyphs) {
      const code = include(embedded, glyph, [codePoint]);
      if (code !== presetOf(font).codes.get(glyph.id)) {
        throw new Error(
          `pdfkit internals changed: a new font's subset did not start empty (glyph ${glyph.id})`,
        );
      }
    }
    this.memoiseFontProgram(embedded, font);
    this.primed.add(embedded);
  }
}

/**
 * The font program of a subset, encoded by fontkit and deflated once per distinct glyph list. Encoding is a
 * pure function of the list (components of composite glyphs are appended while encoding, and nothing reads
 * the list afterwards), so a document whose subset is the preset embeds bytes already made.
 */
function fontProgram(
  font: fontkit.Font,
  subset: EmbeddedFont['subset'],
  encode: () => Uint8Array,
): FontProgram {
  const memo = memoFor(programMemos, font);
  const key = subset.glyphs.join(',');
  let program = memo.get(key);
  if (!program) {
    const raw = encode.call(subset);
    program = { length: raw.length, deflated: deflateSync(raw) };
    if (memo.size >= PROGRAM_MEMO_LIMIT) memo.clear();
    memo.set(key, program);
  }
  return program;
}

/** A glyph in the document's subset, with its width and text as pdfkit's encode records them. */
function include(embedded: EmbeddedFont, glyph: fontkit.Glyph, codePoints = glyph.codePoints): number {
  const gid = embedded.subset.includeGlyph(glyph.id);
  if (embedded.widths[gid] == null) embedded.widths[gid] = glyph.advanceWidth * embedded.scale;
  if (embedded.unicode[gid] == null) embedded.unicode[gid] = codePoints;
  return gid;
}
