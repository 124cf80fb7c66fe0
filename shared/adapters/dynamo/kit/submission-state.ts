import type { EInvoiceState } from '../../../contracts/schemas/einvoice.js';
import type { SubmissionStatePort } from '../../../core/ports/einvoice-submission.js';
import type { ItemKey } from './entity.js';
import { updateIf } from './operations.js';
import type { TableRef } from './table-ref.js';

/**
 * The submission state (`einvoice.submission`) of the item at `key`, moved by conditional UpdateItems: the
 * claim on the state and attempt count read, the release and the outcome on the claim held (and the outcome
 * on the history length read, so a status recorded meanwhile is never lost). `read` parses the item.
 */
export function submissionStateAt(
  table: TableRef,
  key: ItemKey,
  read: () => Promise<EInvoiceState | undefined>,
): SubmissionStatePort {
  return {
    read,
    claim: async (claim) =>
      (await updateIf(table, {
        Key: key,
        UpdateExpression:
          'SET einvoice.submission.#state = :submitting, einvoice.submission.attempts = :next, ' +
          'einvoice.submission.claimedAt = :at',
        ConditionExpression:
          'einvoice.submission.#state = :from AND einvoice.submission.attempts = :attempts',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':submitting': 'submitting',
          ':from': claim.from,
          ':attempts': claim.attempts,
          ':next': claim.attempts + 1,
          ':at': claim.at,
        },
      })) !== undefined,
    release: async (release) =>
      (await updateIf(table, {
        Key: key,
        UpdateExpression:
          release.to === 'pending'
            ? 'SET einvoice.submission.#state = :pending REMOVE einvoice.submission.claimedAt'
            : 'REMOVE einvoice.submission.claimedAt',
        ConditionExpression:
          'einvoice.submission.#state = :submitting AND einvoice.submission.attempts = :attempts',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':submitting': 'submitting',
          ':attempts': release.attempts,
          ...(release.to === 'pending' ? { ':pending': 'pending' } : {}),
        },
      })) !== undefined,
    record: async ({ attempts, historyLength, einvoice }) => {
      const sets = ['einvoice.submission = :submission', 'einvoice.history = :history'];
      const values: Record<string, unknown> = {
        ':submission': einvoice.submission,
        ':history': einvoice.history,
        ':submitting': 'submitting',
        ':attempts': attempts,
        ':historyLength': historyLength,
      };
      if (einvoice.status) {
        sets.push(
          'einvoice.#lifecycle = :lifecycle, einvoice.statusLabel = :label, einvoice.statusAt = :statusAt',
        );
        Object.assign(values, {
          ':lifecycle': einvoice.status,
          ':label': einvoice.statusLabel,
          ':statusAt': einvoice.statusAt,
        });
      }
      const moved = await updateIf(table, {
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression:
          'einvoice.submission.#state = :submitting AND einvoice.submission.attempts = :attempts ' +
          'AND size(einvoice.history) = :historyLength',
        ExpressionAttributeNames: {
          '#state': 'state',
          ...(einvoice.status ? { '#lifecycle': 'status' } : {}),
        },
        ExpressionAttributeValues: values,
      });
      return moved === undefined ? 'moved' : 'recorded';
    },
  };
}
