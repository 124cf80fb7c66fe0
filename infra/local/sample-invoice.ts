/**
 * Writes the README sample invoice (test/builders/sample-invoice.ts) as a PDF (a Factur-X), to see what
 * buyers receive, or as its e-invoice alone: an output ending in `.ubl.xml` is the UBL 2.1 invoice, any
 * other `.xml` the CII that the PDF embeds (indented, to read). Regenerate the docs' picture and sample with:
 *
 *   npx tsx infra/local/sample-invoice.ts /tmp/sample-invoice.pdf fr \
 *     && pdftoppm -png -r 110 -f 1 -l 1 -singlefile /tmp/sample-invoice.pdf docs/sample-invoice
 *   npx tsx infra/local/sample-invoice.ts docs/factur-x.xml fr
 *
 * Arguments: output path (default `sample-invoice.pdf`), language `fr` | `en` (default fr), order count
 * (default 20, about 60 lines). `pdftoppm` comes with poppler-utils. Needs nothing running.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { create } from 'xmlbuilder2';
import { writeCii } from '../../shared/documents/einvoice/cii.js';
import { invoiceDocument } from '../../shared/documents/einvoice/mapping.js';
import { writeUbl } from '../../shared/documents/einvoice/ubl.js';
import { renderInvoicePdf } from '../../shared/documents/pdf/invoice.js';
import type { Language } from '../../shared/documents/texts/format.js';
import { sampleInvoice, sampleOrders } from '../../test/builders/sample-invoice.js';

function isLanguage(value: string): value is Language {
  return value === 'fr' || value === 'en';
}

async function main(): Promise<void> {
  const [output = 'sample-invoice.pdf', language = 'fr', orders = '20'] = process.argv.slice(2);
  if (!isLanguage(language)) throw new Error(`language must be fr or en, not ${language}`);
  const options = { language, orders: Number(orders) };
  if (output.endsWith('.xml')) {
    const chunks: string[] = [];
    const write = output.endsWith('.ubl.xml') ? writeUbl : writeCii;
    await write(invoiceDocument(sampleInvoice(options), sampleOrders(options)), (chunk) =>
      chunks.push(chunk),
    );
    // Indented to be read; the documents themselves are written without whitespace between elements.
    await writeFile(output, `${create(chunks.join('')).end({ prettyPrint: true })}\n`);
  } else {
    await pipeline(
      renderInvoicePdf(sampleInvoice(options), sampleOrders(options)),
      createWriteStream(output),
    );
  }
  console.log(`wrote ${output}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
