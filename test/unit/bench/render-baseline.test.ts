import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extractTextItems, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { recordDrawing, renderWithPdfkitText } from '../../../bench/render-baseline.js';
import { PdfCanvas } from '../../../shared/documents/pdf/canvas.js';
import { loadDocumentFonts as loadInvoiceFonts } from '../../../shared/documents/pdf/fonts.js';
import { renderInvoicePdf } from '../../../shared/documents/pdf/invoice.js';
import { sampleInvoice, sampleOrders } from '../../builders/sample-invoice.js';
import { bytesOf, plain, readPdf } from '../documents/pdf-reader.js';

/** Every piece of text of a PDF with where it starts, to the quarter point, page by page. */
async function placedText(pdf: Buffer): Promise<string[][]> {
  const { items } = await extractTextItems(await getDocumentProxy(new Uint8Array(pdf)));
  const quarter = (n: number) => Math.round(n * 4) / 4;
  return items.map((page) =>
    page
      .filter((item) => item.str.trim())
      .map((item) => `${quarter(item.x)},${quarter(item.y)} ${plain(item.str)}`),
  );
}

/**
 * The render target compares the invoice renderer with pdfkit's own text() writing the same invoice. That
 * ratio only means something if the baseline writes the same pages: the same rows of text in the same
 * order, on as many pages, with the same fonts embedded.
 */
describe('render baseline: pdfkit text() writing the invoice renderer’s drawing', () => {
  const fonts = loadInvoiceFonts();
  const byName = { [fonts.regular.postscriptName]: fonts.regular, [fonts.bold.postscriptName]: fonts.bold };
  const options = { orders: 20, firstOrder: 40 };

  it('writes the same pages, rows of text and fonts as the renderer', async () => {
    let rendered: Buffer = Buffer.alloc(0);
    const drawing = await recordDrawing(async () => {
      rendered = await bytesOf(renderInvoicePdf(sampleInvoice(options), sampleOrders(options)));
    });
    const baseline = await bytesOf(renderWithPdfkitText(drawing, byName, fonts.regular));

    const ours = await readPdf(rendered);
    const theirs = await readPdf(baseline);
    expect(ours.pages.length).toBeGreaterThan(1);
    expect(drawing.ops.filter((op) => op.op === 'page')).toHaveLength(ours.pages.length);
    expect(theirs.pages).toEqual(ours.pages);
    expect(await placedText(baseline)).toEqual(await placedText(rendered));
    const baseFonts = (pdf: Buffer) =>
      [...pdf.toString('latin1').matchAll(/\/BaseFont \/[A-Z]{6}\+(\S+)/g)].map((m) => m[1]).sort();
    expect(baseFonts(baseline)).toEqual(baseFonts(rendered));
    // Made with the renderer's document options: PDF/A-3b, A4.
    expect(drawing.options).toMatchObject({ subset: 'PDF/A-3b', size: 'A4' });
  });

  it('leaves the renderer as it was once the drawing is recorded', async () => {
    const methods = ['font', 'text', 'rect', 'rule'] as const;
    const before = methods.map((name) => PdfCanvas.prototype[name]);
    await expect(
      recordDrawing(async () => {
        await pipeline(
          renderInvoicePdf(sampleInvoice({ orders: 1 }), sampleOrders({ orders: 1 })),
          new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('sink failed')) }),
        );
      }),
    ).rejects.toThrow('sink failed');
    expect(methods.map((name) => PdfCanvas.prototype[name])).toEqual(before);
  });
});
