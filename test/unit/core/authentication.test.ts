import { describe, expect, it, vi } from 'vitest';
import { generateApiKey, hashApiKey } from '../../../shared/core/domain/api-keys.js';
import { newBuyerToken } from '../../../shared/core/domain/buyers.js';
import { issueApiKey } from '../../../shared/core/usecases/api-keys.js';
import { authenticateCaller, refusedCredential } from '../../../shared/core/usecases/authentication.js';

/** Stores that count their reads: a malformed credential must cost none. */
function countingDeps() {
  const findByHash = vi.fn(async () => undefined);
  const findTokenByHash = vi.fn(async () => undefined);
  return {
    deps: {
      apiKeys: { findByHash },
      buyers: { findTokenByHash, touchSession: vi.fn(), membershipsOf: vi.fn() },
      clock: { now: () => new Date('2026-12-01T10:00:00Z') },
    },
    reads: () => findByHash.mock.calls.length + findTokenByHash.mock.calls.length,
  };
}

const credentials = (authorization: string) => ({ authorization, method: 'GET' });

describe('authenticating a bearer credential', () => {
  it.each([
    ['another scheme', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['no token', 'Bearer '],
    ['too short', 'Bearer sk_abc'],
    ['a wrong prefix', `Bearer pk_${'a'.repeat(43)}`],
    ['no prefix', `Bearer ${'a'.repeat(46)}`],
    ['a character outside base64url', `Bearer op_${'a'.repeat(40)}%2F`],
    ['too long', `Bearer sk_${'a'.repeat(65)}`],
    ['a malformed buyer token', 'Bearer bt_short'],
  ])(
    'refuses a malformed one (%s) without reading the table, and the authorizer denies it',
    async (_, header) => {
      const { deps, reads } = countingDeps();
      const caller = await authenticateCaller(deps, credentials(header));
      expect(caller).toMatchObject({ role: 'none', reason: 'malformed' });
      expect(refusedCredential(caller)).toBe(true);
      expect(reads()).toBe(0);
    },
  );

  it('reads the table once for a well-formed key or token, and denies an unknown one', async () => {
    for (const token of [generateApiKey('storefront'), generateApiKey('operator'), newBuyerToken()]) {
      const { deps, reads } = countingDeps();
      const caller = await authenticateCaller(deps, credentials(`Bearer ${token}`));
      expect(caller).toMatchObject({ role: 'none', reason: 'unknown' });
      expect(refusedCredential(caller)).toBe(true);
      expect(reads()).toBe(1);
    }
  });

  it('denies a revoked key, lets an active one through', async () => {
    const apiKey = generateApiKey('storefront');
    const record = {
      keyId: 'key_1',
      keyHash: hashApiKey(apiKey),
      role: 'storefront' as const,
      lastFour: 'abcd',
    };
    const { deps } = countingDeps();
    deps.apiKeys.findByHash.mockResolvedValue({ ...record, status: 'revoked', createdAt: '' } as never);
    expect(refusedCredential(await authenticateCaller(deps, credentials(`Bearer ${apiKey}`)))).toBe(true);
    deps.apiKeys.findByHash.mockResolvedValue({ ...record, status: 'active', createdAt: '' } as never);
    const caller = await authenticateCaller(deps, credentials(`Bearer ${apiKey}`));
    expect(caller).toMatchObject({ role: 'storefront', keyId: 'key_1' });
    expect(refusedCredential(caller)).toBe(false);
  });

  it('does not deny a call without credentials: the buyer function answers it 401 (the portal signs in)', async () => {
    const { deps } = countingDeps();
    const caller = await authenticateCaller(deps, { method: 'GET' });
    expect(caller).toMatchObject({ role: 'none', reason: 'session' });
    expect(refusedCredential(caller)).toBe(false);
  });

  it('refuses to issue a chosen secret the authorizer would deny', async () => {
    const repo = { put: vi.fn(async () => {}) };
    await expect(issueApiKey(repo, { role: 'operator', apiKey: 'not a key at all' })).rejects.toThrow(
      /op_ or sk_ then 32 to 64 characters/,
    );
    await issueApiKey(repo, { role: 'operator', apiKey: `op_demo_${'0'.repeat(32)}` });
    expect(repo.put).toHaveBeenCalledTimes(1);
  });
});
