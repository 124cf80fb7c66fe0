/**
 * The render baseline: what writing an invoice with pdfkit's own text API costs. The invoice renderer is
 * run once, untimed, while its drawing surface (PdfCanvas) is watched: every page, every string with its
 * font, size, colour and place, every filled box and rule (a "drawing"). The baseline then writes that very
 * drawing with pdfkit's documented calls: `doc.font(name).fontSize(size).fillColor(colour).text(string, x,
 * y, { lineBreak: false })`, `doc.rect(...).fill(...)`, `doc.moveTo(...).lineTo(...).stroke(...)`, on a
 * document made with the renderer's own options (A4, PDF/A-3b, tagged, the same metadata) and the same
 * DejaVu fonts embedded.
 *
 * What the baseline leaves to pdfkit is exactly what the renderer's canvas does itself: shaping and
 * measuring each string with fontkit, encoding it into the document's font subset and writing the text
 * operators, then embedding the subset. It keeps pdfkit's own per-document cache of laid-out words
 * (pdfkit's default, which the renderer turns off for 10,000-order invoices) and adds no memoisation of
 * ours. It does none of the renderer's layout work (wrapping, fitting, paging): it is given the lines
 * already placed, so the ratio to it is a conservative one.
 */
import type * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { PdfCanvas } from '../shared/documents/pdf/canvas.js';

/** One thing drawn on an invoice's pages, in drawing order. */
export type DrawOp =
  | { op: 'page' }
  | { op: 'text'; font: string; text: string; x: number; y: number; size: number; colour: string }
  | { op: 'rect'; x: number; y: number; width: number; height: number; colour: string }
  | { op: 'rule'; x0: number; x1: number; y: number; width: number; colour: string };

/** What one render put on its pages, and the options its document was made with. */
export interface Drawing {
  options: PDFKit.PDFDocumentOptions;
  ops: DrawOp[];
}

const documentPrototype = (PDFDocument as unknown as { prototype: PDFKit.PDFDocument }).prototype;

/**
 * Runs `render` (one invoice render, awaited to its end) with PdfCanvas and pdfkit's `addPage` watched, and
 * answers what it drew. Not reentrant: render one document at a time while recording.
 */
export async function recordDrawing(render: () => Promise<void>): Promise<Drawing> {
  const canvas = PdfCanvas.prototype;
  const original = {
    font: canvas.font,
    text: canvas.text,
    rect: canvas.rect,
    rule: canvas.rule,
    addPage: documentPrototype.addPage,
  };
  const ops: DrawOp[] = [];
  let options: PDFKit.PDFDocumentOptions | undefined;
  let font = '';
  canvas.font = function recordFont(this: PdfCanvas, name) {
    font = name;
    original.font.call(this, name);
  };
  canvas.text = function recordText(this: PdfCanvas, text, x, y, size, colour) {
    if (text.length > 0) ops.push({ op: 'text', font, text, x, y, size, colour });
    original.text.call(this, text, x, y, size, colour);
  };
  canvas.rect = function recordRect(this: PdfCanvas, x, y, width, height, colour) {
    ops.push({ op: 'rect', x, y, width, height, colour });
    original.rect.call(this, x, y, width, height, colour);
  };
  canvas.rule = function recordRule(this: PdfCanvas, x0, x1, y, width, colour) {
    ops.push({ op: 'rule', x0, x1, y, width, colour });
    original.rule.call(this, x0, x1, y, width, colour);
  };
  documentPrototype.addPage = function recordPage(this: PDFKit.PDFDocument, pageOptions) {
    options ??= { ...this.options };
    ops.push({ op: 'page' });
    return original.addPage.call(this, pageOptions);
  };
  try {
    await render();
  } finally {
    Object.assign(canvas, {
      font: original.font,
      text: original.text,
      rect: original.rect,
      rule: original.rule,
    });
    documentPrototype.addPage = original.addPage;
  }
  if (!options) throw new Error('recordDrawing: the render made no PDF document');
  return { options, ops };
}

/**
 * Writes a recorded drawing with pdfkit's own text API, in the given fonts (parsed once, as the renderer's
 * are; registered under the names the drawing uses), and answers the document as a readable stream.
 */
export function renderWithPdfkitText(
  drawing: Drawing,
  fonts: Readonly<Record<string, fontkit.Font>>,
  defaultFont: fontkit.Font,
): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    ...drawing.options,
    // pdfkit's default: its per-document cache of laid-out words.
    fontLayoutCache: true,
    font: defaultFont as unknown as string,
    autoFirstPage: false,
  });
  for (const [name, font] of Object.entries(fonts)) doc.registerFont(name, font as unknown as string);
  let font: string | undefined;
  let size: number | undefined;
  for (const op of drawing.ops) {
    switch (op.op) {
      case 'page':
        doc.addPage();
        // pdfkit carries the font and size over to a new page: the next text sets them again anyway.
        font = undefined;
        size = undefined;
        break;
      case 'text':
        if (op.font !== font) doc.font(op.font);
        if (op.size !== size) doc.fontSize(op.size);
        font = op.font;
        size = op.size;
        doc.fillColor(op.colour).text(op.text, op.x, op.y, { lineBreak: false });
        break;
      case 'rect':
        doc.rect(op.x, op.y, op.width, op.height).fill(op.colour);
        break;
      case 'rule':
        doc.moveTo(op.x0, op.y).lineTo(op.x1, op.y).lineWidth(op.width).stroke(op.colour);
        break;
    }
  }
  doc.end();
  return doc;
}
