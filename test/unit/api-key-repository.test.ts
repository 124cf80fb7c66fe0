import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ApiKeyRepository } from '../../shared/adapters/dynamo/api-key-repository.js';
import type { ApiKeyRecord } from '../../shared/core/domain/api-keys.js';

const revoked: ApiKeyRecord = {
  keyId: 'key_1',
  keyHash: 'a'.repeat(64),
  role: 'storefront',
  storefrontId: 'sf_1',
  status: 'revoked',
  lastFour: 'abcd',
  createdAt: '2026-11-01T00:00:00.000Z',
  revokedAt: '2026-12-01T10:00:00.000Z',
};

describe('the API key lookup of the authorizer', () => {
  it('sees a revocation at once, even where an eventually consistent read still returns the key active', async () => {
    // A fake client, because DynamoDB Local is always consistent: it cannot produce the stale replica an
    // eventually consistent GetItem may read on AWS right after the revocation's write.
    const staleReplica = {
      send: async (command: unknown) => {
        if (!(command instanceof GetCommand)) throw new Error('unexpected command');
        const consistent = command.input.ConsistentRead === true;
        return { Item: consistent ? revoked : { ...revoked, status: 'active', revokedAt: undefined } };
      },
    } as unknown as DynamoDBDocumentClient;

    const found = await new ApiKeyRepository({ client: staleReplica, tableName: 'table' }).findByHash(
      revoked.keyHash,
    );

    expect(found?.status).toBe('revoked');
  });
});
