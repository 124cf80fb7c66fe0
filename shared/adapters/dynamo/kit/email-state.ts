import type { ItemKey } from './entity.js';
import { updateIf } from './operations.js';
import type { TableRef } from './table-ref.js';

/**
 * Moves a document's `email.status` (invoice or credit note) from `from` with `update`, only if it is
 * still `from`: the guard that keeps an email from being sent twice (`ready → sending` before SES is
 * called, `sending → sent` after; see deliverAtMostOnce). `#status` names `status` in `update`. False when
 * another caller moved it first.
 */
export async function moveEmailState(
  table: TableRef,
  key: ItemKey,
  update: string,
  from: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  const moved = await updateIf(table, {
    Key: key,
    UpdateExpression: update,
    ConditionExpression: 'email.#status = :from',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':from': from, ...values },
  });
  return moved !== undefined;
}
