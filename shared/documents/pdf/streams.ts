/**
 * How a document's streams are deflated. pdfkit deflates each stream it compresses (page contents, the
 * fonts' ToUnicode maps, the PDF/A colour profile) with zlib's default level 6, a fresh zlib per stream;
 * on a 3-page invoice that was about a fifth of the render (0.9 ms of 4.4, `npm run bench`). Here:
 *
 * - level 3 (zlib's fastest strategy, no lazy matching): an invoice page's 20 kB of text operators deflate
 *   to 4.0 kB instead of 3.7 kB, in about half the time;
 * - a small stream (the colour profile, the ToUnicode map of a preset font subset) is the same in most
 *   documents: it is deflated once per process and its bytes reused (bounded).
 *
 * It hooks the document's `ref()`: a stream pdfkit would compress is deflated here when it is written out,
 * with pdfkit's Filter and Length unchanged; a stream written already compressed (the Factur-X XML, the
 * font programs) or left uncompressed (the XMP metadata) is not touched. pdfkit 0.20's PDFReference fields
 * are checked on the first stream and a change throws at once (the PDF tests then fail loudly).
 */
import { deflateSync } from 'node:zlib';

const DEFLATE = { level: 3 } as const;
/** Streams up to this size are memoised by content. */
const MEMO_MAX_BYTES = 8 * 1024;
/** Memoised streams kept (a profile and a few ToUnicode maps per font are what recurs). */
const MEMO_LIMIT = 64;

const memo = new Map<string, Buffer>();

/** The fields of pdfkit's PDFReference this relies on. */
interface StreamReference {
  compress: boolean;
  buffer: Uint8Array[];
  finalize(): void;
}

function deflated(raw: Buffer): Buffer {
  if (raw.length > MEMO_MAX_BYTES) return deflateSync(raw, DEFLATE);
  const key = raw.toString('latin1');
  let bytes = memo.get(key);
  if (!bytes) {
    bytes = deflateSync(raw, DEFLATE);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, bytes);
  }
  return bytes;
}

function isStreamReference(value: unknown): value is StreamReference {
  const reference = value as Partial<StreamReference> | undefined;
  return (
    typeof reference?.compress === 'boolean' &&
    Array.isArray(reference.buffer) &&
    typeof reference.finalize === 'function'
  );
}

/** Makes `doc` deflate its streams as described above. Call it right after creating the document. */
export function deflateStreamsFast(doc: PDFKit.PDFDocument): void {
  const document = doc as unknown as { ref(data?: object): unknown };
  const ref = document.ref;
  if (typeof ref !== 'function') throw new Error('pdfkit internals changed: the document has no ref()');
  document.ref = function fastDeflateRef(this: unknown, data?: object) {
    const reference = ref.call(this, data);
    if (!isStreamReference(reference)) {
      throw new Error('pdfkit internals changed: a PDFReference has no compress/buffer/finalize');
    }
    const finalize = reference.finalize;
    reference.finalize = function finalizeFastDeflate(this: StreamReference) {
      // Decided when written out: pdfkit may still switch compression off after creating the object.
      if (this.compress && this.buffer.length > 0) {
        this.buffer = [deflated(Buffer.concat(this.buffer))];
        this.compress = false; // pdfkit set /Filter /FlateDecode on the first write, as for its own
      }
      finalize.call(this);
    };
    return reference;
  };
}
