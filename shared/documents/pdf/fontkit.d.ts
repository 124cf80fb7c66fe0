/**
 * The few parts of fontkit (pdfkit's own font engine, installed as its dependency) that the invoice fonts
 * use; fontkit ships no type declarations.
 */
declare module 'fontkit' {
  export interface GlyphPosition {
    xAdvance: number;
    yAdvance: number;
    xOffset: number;
    yOffset: number;
  }
  export interface Glyph {
    id: number;
    advanceWidth: number;
    codePoints: number[];
  }
  export interface GlyphRun {
    glyphs: Glyph[];
    positions: GlyphPosition[];
    readonly advanceWidth: number;
  }
  export interface Font {
    postscriptName: string;
    unitsPerEm: number;
    /** Ascender in font units. */
    ascent: number;
    layout(text: string, features?: unknown, ...rest: unknown[]): GlyphRun;
    /** The glyph the font maps a code point to (glyph 0, .notdef, when it has none). */
    glyphForCodePoint(codePoint: number): Glyph;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
