import type { Readable } from 'node:stream';
import { extractTextItems, getDocumentProxy } from 'unpdf';

/** Collects a stream into one buffer (rejects if the stream errors). */
export async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Text extraction maps the no-break spaces of French formatting to plain spaces (pdfkit's ToUnicode map
 * has one code point per glyph, and U+00A0/U+202F share the space glyph): compare on plain spaces.
 */
export function plain(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

export interface PdfText {
  /** Per page, its printed rows top to bottom; the texts of one row (same baseline) joined by " | ". */
  pages: string[][];
  /** Every row of every page, one per line. */
  text: string;
}

/** The rows of text of a PDF, as a reader sees them (pdf.js through unpdf). */
export async function readPdf(pdf: Uint8Array): Promise<PdfText> {
  const { items } = await extractTextItems(await getDocumentProxy(new Uint8Array(pdf)));
  const pages = items.map((pageItems) => {
    const rows = new Map<number, { x: number; str: string }[]>();
    for (const item of pageItems) {
      if (!item.str.trim()) continue;
      const y = Math.round(item.y * 2) / 2;
      const row = rows.get(y) ?? [];
      row.push({ x: item.x, str: item.str });
      rows.set(y, row);
    }
    return [...rows.entries()]
      .sort(([a], [b]) => b - a)
      .map(([, row]) =>
        plain(
          row
            .sort((a, b) => a.x - b.x)
            .map((item) => item.str)
            .join(' | '),
        ),
      );
  });
  return { pages, text: pages.map((rows) => rows.join('\n')).join('\n') };
}
