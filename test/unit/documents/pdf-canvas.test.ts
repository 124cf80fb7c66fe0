import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { PdfCanvas } from '../../../shared/documents/pdf/canvas.js';
import { loadDocumentFonts } from '../../../shared/documents/pdf/fonts.js';

const fonts = loadDocumentFonts();

function canvasWith(weight: 'regular' | 'bold'): PdfCanvas {
  const doc = new PDFDocument({ font: fonts.regular as unknown as string, fontLayoutCache: false });
  const names = { regular: fonts.regular.postscriptName, bold: fonts.bold.postscriptName };
  doc.registerFont(names.regular, fonts.regular as unknown as string);
  doc.registerFont(names.bold, fonts.bold as unknown as string);
  const canvas = new PdfCanvas(doc, { [names.regular]: fonts.regular, [names.bold]: fonts.bold });
  canvas.font(names[weight]);
  return canvas;
}

/** Width in points as fontkit's own OpenType layout sets the string (what pdfkit would print). */
function fontkitWidth(weight: 'regular' | 'bold', text: string, size: number): number {
  const font = fonts[weight];
  return (font.layout(text).advanceWidth * size) / font.unitsPerEm;
}

describe('PdfCanvas', () => {
  // Strings full of kerning pairs (AV, Te, Wa, "y.", "r,"), French signs and other alphabets.
  const kerned = 'AVATAR Tél. 01 23 45 67 89 — Wagon « y. » r, 1\u202f234,56\u00a0€';
  const samples = [
    kerned,
    'Facture n° 2026-000123 · Période du 01/11/2026 au 30/11/2026',
    'Łódź Piekarnia Ωmega — Хлеб и Ко',
    'Yvette’s “TAVERNE” L’Ouvroir, Vœux, Æsop',
  ];

  it.each(['regular', 'bold'] as const)(
    'measures text as fontkit lays it out, kerning included (%s)',
    (weight) => {
      const canvas = canvasWith(weight);
      const font = fonts[weight];
      for (const text of samples) {
        expect(canvas.width(text, 7)).toBeCloseTo(fontkitWidth(weight, text, 7), 3);
      }
      // The kerning is really there: the plain advances add up to something else.
      const plain = [...kerned].reduce(
        (sum, char) => sum + font.glyphForCodePoint(char.codePointAt(0) as number).advanceWidth,
        0,
      );
      expect(Math.abs(canvas.width(kerned, 1000) - (plain * 1000) / font.unitsPerEm)).toBeGreaterThan(10);
    },
  );

  it('measures text with combining marks through the full layout', () => {
    const canvas = canvasWith('regular');
    const text = 'Cre\u0300me bru\u0302le\u0301e, q\u0301';
    expect(canvas.width(text, 9)).toBeCloseTo(fontkitWidth('regular', text, 9), 3);
  });
});
