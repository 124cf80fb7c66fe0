import { describe, expect, it } from 'vitest';
import { formulaWriteUnits, itemBytes, writeTargets } from '../../../bench/write-units.js';

/** An item of about `bytes` bytes: its keys and one padding attribute. */
const item = (bytes: number, extra: Record<string, unknown> = {}) => {
  const base = { PK: 'ACCOUNT#acc_1', SK: 'ACCOUNT', ...extra };
  return { ...base, pad: 'x'.repeat(Math.max(0, bytes - itemBytes(base) - 3)) };
};

describe('DynamoDB write units by the published formula (cost bench, invoice half)', () => {
  it('prices an update by the larger of the item before and after, 1 unit per KB started, 2 in a transaction', () => {
    expect(itemBytes(item(900))).toBe(900);
    expect(formulaWriteUnits(item(900), item(900), false)).toBe(1);
    expect(formulaWriteUnits(item(1900), item(2100), false)).toBe(3);
    expect(formulaWriteUnits(undefined, item(1500), true)).toBe(4);
  });

  it('writes an index only when the copy it holds changes: keys-only copies of an unchanged key cost nothing', () => {
    const due = { duePk: 'DUE', dueSk: '2026-11-01#acc_1' };
    // billedThrough moves, the account's due key stays: the base item only (DynamoDB Local counts the index too).
    expect(
      formulaWriteUnits(
        item(900, { ...due, billedThrough: 'a' }),
        item(900, { ...due, billedThrough: 'b' }),
        false,
      ),
    ).toBe(1);
    // The due key moves: the index copy is deleted and put again (its KB plus 1).
    const moved = { ...due, dueSk: '2026-12-01#acc_1' };
    expect(formulaWriteUnits(item(900, due), item(900, moved), false)).toBe(3);
    // Leaving a sparse index (an invoice sent): the base item and the copy's delete.
    const toSend = { sendPk: 'SEND', sendSk: 's', invoiceId: 'inv_1' };
    expect(formulaWriteUnits(item(1500, toSend), item(1500, { invoiceId: 'inv_1' }), false)).toBe(3);
  });

  it('finds every item a request writes, transactional or not, condition checks included', () => {
    const key = { PK: 'RUN#r', SK: 'RUN' };
    expect(
      writeTargets('TransactWriteItemsCommand', {
        TransactItems: [
          { Put: { TableName: 't', Item: { ...key, SK: 'OUTCOME#a', n: 1 } } },
          { Update: { TableName: 't', Key: key, UpdateExpression: 'ADD n :one' } },
          { ConditionCheck: { TableName: 't', Key: { PK: 'ACCOUNT#a', SK: 'ACCOUNT' } } },
        ],
      }),
    ).toEqual([
      { table: 't', key: { PK: 'RUN#r', SK: 'OUTCOME#a' }, transactional: true },
      { table: 't', key, transactional: true },
      { table: 't', key: { PK: 'ACCOUNT#a', SK: 'ACCOUNT' }, transactional: true },
    ]);
    expect(writeTargets('UpdateItemCommand', { TableName: 't', Key: key })).toEqual([
      { table: 't', key, transactional: false },
    ]);
  });
});
