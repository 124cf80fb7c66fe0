import { inject } from 'vitest';
import { type LedgerStreamPoller, startLedgerStreamPoller } from '../../infra/local/ledger-stream.js';
import { type BookExport, bookExportSchema } from '../../shared/contracts/schemas/accounting.js';
import { expectBody, type HttpClient } from './http.js';

/**
 * The export builder as the deployed mapping runs it: the table's stream, new `BookExport` items only,
 * handed to `accounting-export-builder`. It builds only when drained (`settledExport`), so a test sees an
 * export pending for as long as it needs; stop it in `afterAll`.
 */
export async function startExportBuilder(): Promise<LedgerStreamPoller> {
  const stack = inject('localStack');
  if (!stack) throw new Error('the integration project provides the local stack');
  const { handler } = await import('../../functions/accounting-export-builder/handler.js');
  return startLedgerStreamPoller({
    dynamodbEndpoint: stack.endpoints.dynamodb,
    tableName: stack.tableName,
    entity: 'BookExport',
    functionName: 'accounting-export-builder',
    handler: (event, context) => handler(event, context),
    intervalMs: 3_600_000,
  });
}

/** Drains the builder's stream until the export is no longer `pending` (ready or failed), as a client polls. */
export async function settledExport(
  operator: HttpClient,
  builder: LedgerStreamPoller,
  exportId: string,
  timeoutMs = 60_000,
): Promise<BookExport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await builder.poll();
    const found = expectBody(await operator.get(`/v1/accounting/exports/${exportId}`), 200, bookExportSchema);
    if (found.status !== 'pending') return found;
    if (Date.now() > deadline) throw new Error(`export ${exportId} still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
