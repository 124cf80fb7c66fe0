import type { Readable } from 'node:stream';
import { inflateSync } from 'node:zlib';
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

/** A font embedded in a PDF: its program (a TrueType file) and what each of its codes stands for. */
export interface EmbeddedFont {
  /** The BaseFont name, subset tag included ("BZZZZZ+DejaVuSans"). */
  name: string;
  program: Buffer;
  /** Code (CID = glyph id, Identity-H) to the text it stands for, from the font's ToUnicode map. */
  toUnicode: Map<number, string>;
}

/**
 * The Type 0 fonts of a PDF written by pdfkit (objects uncompressed, streams deflated), with their
 * embedded programs and ToUnicode maps: enough to check that each code draws the glyph of its text.
 */
export function embeddedFonts(pdf: Buffer): EmbeddedFont[] {
  const raw = pdf.toString('latin1');
  const objects = new Map<number, { dict: string; stream?: Buffer }>();
  for (const match of raw.matchAll(/(\d+) 0 obj\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = raw.indexOf('\nendobj', start);
    const body = raw.slice(start, end);
    const streamAt = body.indexOf('\nstream\n');
    if (streamAt < 0) {
      objects.set(Number(match[1]), { dict: body });
      continue;
    }
    const dict = body.slice(0, streamAt);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    const from = start + streamAt + '\nstream\n'.length;
    const data = pdf.subarray(from, from + length);
    objects.set(Number(match[1]), {
      dict,
      stream: dict.includes('/FlateDecode') ? inflateSync(data) : Buffer.from(data),
    });
  }
  const ref = (dict: string, key: string) => {
    const id = new RegExp(`/${key} \\[?(\\d+) 0 R`).exec(dict)?.[1];
    const object = id === undefined ? undefined : objects.get(Number(id));
    if (!object) throw new Error(`no /${key} in ${dict.slice(0, 200)}`);
    return object;
  };
  return [...objects.values()]
    .filter(({ dict }) => /\/Subtype \/Type0\b/.test(dict))
    .map(({ dict }) => {
      const descriptor = ref(ref(dict, 'DescendantFonts').dict, 'FontDescriptor');
      const program = ref(descriptor.dict, 'FontFile2').stream;
      const cmap = ref(dict, 'ToUnicode').stream?.toString('latin1') ?? '';
      const toUnicode = new Map<number, string>();
      for (const range of cmap.matchAll(/<([0-9a-f]{4})> <[0-9a-f]{4}> \[([^\]]*)\]/g)) {
        const first = Number.parseInt(range[1] as string, 16);
        [...(range[2] as string).matchAll(/<([0-9a-f ]*)>/g)].forEach((entry, index) => {
          const units = (entry[1] as string).split(' ').map((hex) => Number.parseInt(hex, 16));
          toUnicode.set(first + index, String.fromCharCode(...units));
        });
      }
      return {
        name: /\/BaseFont \/(\S+)/.exec(dict)?.[1] ?? '',
        program: program ?? Buffer.alloc(0),
        toUnicode,
      };
    });
}
