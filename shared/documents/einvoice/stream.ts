import { Readable } from 'node:stream';
import { CiiWriter } from './cii.js';
import type { EInvoiceDocument } from './model.js';
import { UblWriter } from './ubl.js';

/** How much XML is gathered before it is handed on as one chunk. */
const CHUNK_CHARS = 64 * 1024;

/**
 * A document as a stream of CII or UBL bytes, pulled: each line is read from the document (its orders
 * streaming in) only when the consumer wants more, so memory stays flat whatever the invoice's size. The
 * stream errors (`EInvoiceError`) if the lines do not add up to the header, and nothing whole is written.
 */
export function einvoiceXml(document: EInvoiceDocument, syntax: 'cii' | 'ubl'): Readable {
  return Readable.from(
    (async function* () {
      let pending: string[] = [];
      let size = 0;
      const sink = (chunk: string) => {
        pending.push(chunk);
        size += chunk.length;
      };
      const writer =
        syntax === 'cii' ? new CiiWriter(document.header, sink) : new UblWriter(document.header, sink);
      const take = () => {
        const chunk = Buffer.from(pending.join(''), 'utf8');
        pending = [];
        size = 0;
        return chunk;
      };
      writer.begin();
      for await (const line of document.lines) {
        writer.line(line);
        if (size >= CHUNK_CHARS) yield take();
      }
      writer.end();
      yield take();
    })(),
  );
}
