/**
 * Writes the README sample invoice (test/builders/sample-invoice.ts) as a PDF, to see what buyers receive.
 * Regenerate the picture in the docs with:
 *
 *   npx tsx infra/local/sample-invoice.ts /tmp/sample-invoice.pdf fr \
 *     && pdftoppm -png -r 110 -f 1 -l 1 -singlefile /tmp/sample-invoice.pdf docs/sample-invoice
 *
 * Arguments: output path (default `sample-invoice.pdf`), language `fr` | `en` (default fr), order count
 * (default 20, about 60 lines). `pdftoppm` comes with poppler-utils. Needs nothing running.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
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
  await pipeline(renderInvoicePdf(sampleInvoice(options), sampleOrders(options)), createWriteStream(output));
  console.log(`wrote ${output}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
