import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Order } from '../../../shared/contracts/schemas/order.js';
import { renderInvoicePdf } from '../../../shared/documents/pdf/invoice.js';
import { anInvoice, invoiceFigures } from '../../builders/invoices.js';
import { aLine, aStoredOrder } from '../../builders/orders.js';

const ORDERS = 10_000;
/** Per order, data the renderer never prints (DynamoDB items carry keys and attributes beyond the lines). */
const BALLAST_BYTES = 16_000;
/**
 * Streaming measures about 20 MB here; keeping the orders would take over 160 MB, and pdfkit's per-document
 * layout cache left to grow about 95 MB: 50 MB tells them apart.
 */
const MAX_HEAP_GROWTH = 50 * 1024 * 1024;

// A garbage collector to call, so heap figures are live data, not garbage waiting for collection.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

/** The nth order, built on demand (an order of the invoice is never kept by the source either). */
function nthOrder(index: number): Order {
  return aStoredOrder(index, [
    aLine({
      sku: `SKU-${index % 97}`,
      description: 'Farine de blé T65, sac de 25 kg',
      quantity: 1 + (index % 4),
      unitPriceMinor: 2490,
      vatRate: index % 3 === 0 ? 20 : index % 3 === 1 ? 5.5 : 2.1,
      sellerId: 'seller-moulins-de-brie',
    }),
  ]);
}

describe('renderInvoicePdf memory', () => {
  it('stays flat over 10,000 streamed orders', async () => {
    const figures = invoiceFigures(
      (function* () {
        for (let index = 0; index < ORDERS; index += 1) yield nthOrder(index);
      })(),
    );
    const invoice = anInvoice(figures);
    let peakGrowth = 0;
    const baseline = liveHeap();
    async function* orders(): AsyncGenerator<Order> {
      for (let index = 0; index < ORDERS; index += 1) {
        if (index % 2_500 === 2_499) peakGrowth = Math.max(peakGrowth, liveHeap() - baseline);
        // A fresh 16 kB string per order: a renderer that kept the orders would keep these too.
        const ballast = Buffer.alloc(BALLAST_BYTES, 97 + (index % 26)).toString('latin1');
        yield Object.assign(nthOrder(index), { ballast });
      }
      peakGrowth = Math.max(peakGrowth, liveHeap() - baseline);
    }

    let bytes = 0;
    let pages = 0;
    for await (const chunk of renderInvoicePdf(invoice, orders())) {
      bytes += (chunk as Buffer).length;
      pages += (chunk as Buffer).toString('latin1').split('/Type /Page\n').length - 1;
    }

    expect(pages).toBeGreaterThan(150);
    expect(bytes).toBeGreaterThan(1_000_000);
    expect(peakGrowth).toBeLessThan(MAX_HEAP_GROWTH);
  }, 60_000);
});
