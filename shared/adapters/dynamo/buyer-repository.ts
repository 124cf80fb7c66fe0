import { ulid } from 'ulid';
import {
  type BuyerRecord,
  type BuyerTokenRecord,
  type MembershipRecord,
  type SessionRecord,
  type SignInChallenge,
  ttlOf,
} from '../../core/domain/buyers.js';
import type { BuyerAuditEntry, BuyerStore, RateLimiter, Redemption } from '../../core/ports/buyers.js';
import {
  AccountBuyerTokenEntity,
  AccountMemberEntity,
  BuyerAuditEntity,
  BuyerEmailEntity,
  BuyerEntity,
  BuyerMembershipEntity,
  BuyerSessionEntity,
  BuyerTokenEntity,
  SignInChallengeEntity,
  SignInLinkEntity,
} from './entities/buyers.js';
import { itemOf, parseItem } from './kit/entity.js';
import { getItem, type TransactionItem, transactWrite, updateIf } from './kit/operations.js';
import { queryAll } from './kit/query.js';
import type { TableRef } from './kit/table-ref.js';
import { keys, TABLE_KEYS } from './table.js';

const ABSENT = 'attribute_not_exists(PK)';
const PRESENT = 'attribute_exists(PK)';

/**
 * Buyers and everything that proves who they are. A membership is two items written together (under the
 * buyer: what the authorizer reads in one Query; under the account: its buyers), every change with its
 * audit entry in the same transaction. Challenges, links, sessions and counters expire through TTL
 * (`expiresAt`); a TTL deletes late, so every read also checks the item's own expiry.
 */
export class BuyerRepository implements BuyerStore {
  constructor(private readonly table: TableRef) {}

  async findByEmailKey(emailKey: string): Promise<BuyerRecord | undefined> {
    const lookup = await getItem(this.table, keys.buyerEmail(emailKey));
    return lookup ? this.get(parseItem(BuyerEmailEntity, lookup).buyerId) : undefined;
  }

  async get(buyerId: string): Promise<BuyerRecord | undefined> {
    const item = await getItem(this.table, keys.buyer(buyerId));
    return item ? parseItem(BuyerEntity, item) : undefined;
  }

  async addMembership(
    buyer: BuyerRecord,
    emailKey: string,
    membership: MembershipRecord,
    audit: BuyerAuditEntry,
    newBuyer: boolean,
  ): Promise<'added' | 'already_member' | 'email_taken'> {
    type Label = 'buyer' | 'email' | 'membership' | 'member' | 'audit';
    const items: Array<{ label: Label; item: TransactionItem }> = [];
    if (!newBuyer) {
      // The person exists: the membership is conditioned on the person still being there.
      items.push({
        label: 'buyer',
        item: { ConditionCheck: { Key: keys.buyer(buyer.buyerId), ConditionExpression: PRESENT } },
      });
    } else {
      // A new person and their email, both only if absent: a concurrent first invitation loses here.
      items.push(
        {
          label: 'buyer',
          item: {
            Put: { Item: itemOf(BuyerEntity, keys.buyer(buyer.buyerId), buyer), ConditionExpression: ABSENT },
          },
        },
        {
          label: 'email',
          item: {
            Put: {
              Item: itemOf(BuyerEmailEntity, keys.buyerEmail(emailKey), { buyerId: buyer.buyerId }),
              ConditionExpression: ABSENT,
            },
          },
        },
      );
    }
    items.push(
      {
        label: 'membership',
        item: {
          Put: {
            Item: itemOf(
              BuyerMembershipEntity,
              keys.buyerMembership(membership.buyerId, membership.accountId),
              membership,
            ),
            ConditionExpression: ABSENT,
          },
        },
      },
      {
        label: 'member',
        item: {
          Put: {
            Item: itemOf(
              AccountMemberEntity,
              keys.accountMember(membership.accountId, membership.buyerId),
              membership,
            ),
            ConditionExpression: ABSENT,
          },
        },
      },
      { label: 'audit', item: { Put: { Item: this.auditItem(membership.accountId, 'account', audit) } } },
    );
    const outcome = await transactWrite(this.table, items);
    if (outcome.ok) return 'added';
    if (outcome.reasons.email?.code === 'ConditionalCheckFailed') return 'email_taken';
    if (outcome.reasons.membership?.code === 'ConditionalCheckFailed') return 'already_member';
    throw new Error(
      `Membership of ${membership.buyerId} in ${membership.accountId} could not be written; retry`,
    );
  }

  async removeMembership(accountId: string, buyerId: string, audit: BuyerAuditEntry): Promise<boolean> {
    const outcome = await transactWrite(this.table, [
      {
        label: 'membership',
        item: { Delete: { Key: keys.buyerMembership(buyerId, accountId), ConditionExpression: PRESENT } },
      },
      { label: 'member', item: { Delete: { Key: keys.accountMember(accountId, buyerId) } } },
      { label: 'audit', item: { Put: { Item: this.auditItem(accountId, 'account', audit) } } },
    ]);
    if (outcome.ok) return true;
    if (outcome.reasons.membership.code === 'ConditionalCheckFailed') return false;
    throw new Error(`Membership of ${buyerId} in ${accountId} could not be removed; retry`);
  }

  async membershipsOf(buyerId: string): Promise<MembershipRecord[]> {
    return collect(
      queryAll(
        this.table,
        {
          partition: keys.buyerPartition(buyerId),
          sort: { beginsWith: keys.buyerMembershipsPrefix },
          consistent: true,
        },
        (item) => parseItem(BuyerMembershipEntity, item),
      ),
    );
  }

  async membersOf(accountId: string): Promise<MembershipRecord[]> {
    return collect(
      queryAll(
        this.table,
        {
          partition: keys.accountPartition(accountId),
          sort: { beginsWith: keys.accountMembersPrefix },
          consistent: true,
        },
        (item) => parseItem(AccountMemberEntity, item),
      ),
    );
  }

  async getMembership(accountId: string, buyerId: string): Promise<MembershipRecord | undefined> {
    const item = await getItem(this.table, keys.buyerMembership(buyerId, accountId));
    return item ? parseItem(BuyerMembershipEntity, item) : undefined;
  }

  async putChallenge(challenge: SignInChallenge, ttlEpochSeconds: number): Promise<void> {
    const expiry = { [TABLE_KEYS.ttlAttribute]: ttlEpochSeconds };
    await transactWrite(this.table, [
      {
        label: 'challenge',
        item: {
          Put: {
            Item: itemOf(SignInChallengeEntity, keys.signInChallenge(challenge.emailKey), challenge, expiry),
          },
        },
      },
      {
        label: 'link',
        item: {
          Put: {
            Item: itemOf(
              SignInLinkEntity,
              keys.signInLink(challenge.linkHash),
              { emailKey: challenge.emailKey, validUntil: challenge.validUntil },
              expiry,
            ),
            ConditionExpression: ABSENT,
          },
        },
      },
    ]).then((outcome) => {
      if (!outcome.ok) throw new Error('A sign-in challenge could not be stored; retry');
    });
  }

  async getChallenge(emailKey: string): Promise<SignInChallenge | undefined> {
    const item = await getItem(this.table, keys.signInChallenge(emailKey));
    return item ? parseItem(SignInChallengeEntity, item) : undefined;
  }

  async emailKeyOfLink(linkHash: string): Promise<string | undefined> {
    const item = await getItem(this.table, keys.signInLink(linkHash));
    return item ? parseItem(SignInLinkEntity, item).emailKey : undefined;
  }

  async countWrongCode(emailKey: string, challengeId: string, maxAttempts: number): Promise<boolean> {
    const updated = await updateIf(this.table, {
      Key: keys.signInChallenge(emailKey),
      UpdateExpression: 'ADD attempts :one',
      ConditionExpression: 'challengeId = :id AND attempts < :max',
      ExpressionAttributeValues: { ':one': 1, ':id': challengeId, ':max': maxAttempts },
    });
    return updated !== undefined;
  }

  async redeem(
    challenge: SignInChallenge,
    now: string,
    maxAttempts: number,
    session: { record: SessionRecord; secretHash: string },
    audit: BuyerAuditEntry,
  ): Promise<Redemption> {
    const outcome = await transactWrite(this.table, [
      {
        // Single use: the challenge read is deleted only if it is still that one, alive and not guessed
        // at too often; a concurrent redemption of the same challenge fails here and opens nothing.
        label: 'challenge',
        item: {
          Delete: {
            Key: keys.signInChallenge(challenge.emailKey),
            ConditionExpression: 'challengeId = :id AND validUntil > :now AND attempts < :max',
            ExpressionAttributeValues: { ':id': challenge.challengeId, ':now': now, ':max': maxAttempts },
          },
        },
      },
      { label: 'link', item: { Delete: { Key: keys.signInLink(challenge.linkHash) } } },
      {
        label: 'session',
        item: {
          Put: {
            Item: itemOf(BuyerSessionEntity, keys.buyerSession(session.secretHash), session.record, {
              [TABLE_KEYS.ttlAttribute]: ttlOf(session.record.idleExpiresAt),
            }),
            ConditionExpression: ABSENT,
          },
        },
      },
      { label: 'audit', item: { Put: { Item: this.auditItem(session.record.buyerId, 'buyer', audit) } } },
    ]);
    return outcome.ok ? { ok: true, session: session.record } : { ok: false };
  }

  async touchSession(
    secretHash: string,
    now: string,
    idleExpiresAt: string,
  ): Promise<SessionRecord | undefined> {
    const updated = await updateIf(this.table, {
      Key: keys.buyerSession(secretHash),
      UpdateExpression: 'SET idleExpiresAt = :idle, #ttl = :ttl',
      // Alive: both expiries ahead (the TTL deletes late); a deleted (signed-out) session fails too.
      ConditionExpression: 'idleExpiresAt > :now AND absoluteExpiresAt > :now',
      ExpressionAttributeNames: { '#ttl': TABLE_KEYS.ttlAttribute },
      ExpressionAttributeValues: { ':idle': idleExpiresAt, ':ttl': ttlOf(idleExpiresAt), ':now': now },
    });
    return updated ? parseItem(BuyerSessionEntity, updated) : undefined;
  }

  async getSession(secretHash: string): Promise<SessionRecord | undefined> {
    const item = await getItem(this.table, keys.buyerSession(secretHash));
    return item ? parseItem(BuyerSessionEntity, item) : undefined;
  }

  async deleteSession(secretHash: string, audit?: BuyerAuditEntry): Promise<void> {
    const items: Array<{ label: 'session' | 'audit'; item: TransactionItem }> = [
      { label: 'session', item: { Delete: { Key: keys.buyerSession(secretHash) } } },
    ];
    if (audit)
      items.push({ label: 'audit', item: { Put: { Item: this.auditItem(audit.actor, 'buyer', audit) } } });
    const outcome = await transactWrite(this.table, items);
    if (!outcome.ok) throw new Error('The session could not be deleted; retry');
  }

  async putToken(record: BuyerTokenRecord, audit: BuyerAuditEntry): Promise<void> {
    const outcome = await transactWrite(this.table, [
      {
        label: 'hash',
        item: {
          Put: {
            Item: itemOf(BuyerTokenEntity, keys.buyerToken(record.tokenHash), record),
            ConditionExpression: ABSENT,
          },
        },
      },
      {
        label: 'account',
        item: {
          Put: {
            Item: itemOf(
              AccountBuyerTokenEntity,
              keys.accountBuyerToken(record.accountId, record.tokenId),
              record,
            ),
            ConditionExpression: ABSENT,
          },
        },
      },
      { label: 'audit', item: { Put: { Item: this.auditItem(record.accountId, 'account', audit) } } },
    ]);
    if (!outcome.ok) throw new Error(`Buyer token ${record.tokenId} could not be stored: it exists already`);
  }

  async findTokenByHash(tokenHash: string): Promise<BuyerTokenRecord | undefined> {
    const item = await getItem(this.table, keys.buyerToken(tokenHash));
    return item ? parseItem(BuyerTokenEntity, item) : undefined;
  }

  async tokensOf(accountId: string): Promise<BuyerTokenRecord[]> {
    return collect(
      queryAll(
        this.table,
        {
          partition: keys.accountPartition(accountId),
          sort: { beginsWith: keys.accountBuyerTokensPrefix },
          consistent: true,
        },
        (item) => parseItem(AccountBuyerTokenEntity, item),
      ),
    );
  }

  async revokeToken(
    accountId: string,
    tokenId: string,
    at: string,
    audit: BuyerAuditEntry,
  ): Promise<BuyerTokenRecord | undefined> {
    const item = await getItem(this.table, keys.accountBuyerToken(accountId, tokenId));
    if (!item) return undefined;
    const record = parseItem(AccountBuyerTokenEntity, item);
    if (record.status === 'revoked') return record;
    const update = {
      UpdateExpression: 'SET #status = :revoked, revokedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at },
      ConditionExpression: PRESENT,
    };
    const outcome = await transactWrite(this.table, [
      { label: 'hash', item: { Update: { Key: keys.buyerToken(record.tokenHash), ...update } } },
      { label: 'account', item: { Update: { Key: keys.accountBuyerToken(accountId, tokenId), ...update } } },
      { label: 'audit', item: { Put: { Item: this.auditItem(accountId, 'account', audit) } } },
    ]);
    if (!outcome.ok) throw new Error(`Buyer token ${tokenId} changed while it was being revoked; retry`);
    return { ...record, status: 'revoked', revokedAt: at };
  }

  private auditItem(ownerId: string, owner: 'account' | 'buyer', audit: BuyerAuditEntry) {
    const partition = owner === 'account' ? keys.accountPartition(ownerId) : keys.buyerPartition(ownerId);
    return itemOf(BuyerAuditEntity, keys.audit(partition, audit.at, ulid()), audit);
  }
}

/** Fixed-window counters: one item per subject and window, gone with the TTL after the window. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(private readonly table: TableRef) {}

  async hit(subject: string, windowStart: string, limit: number, ttlEpochSeconds: number): Promise<boolean> {
    const updated = await updateIf(this.table, {
      Key: keys.rateLimit(subject, windowStart),
      UpdateExpression: 'ADD hits :one SET #ttl = :ttl, entity = :entity',
      // Counted only below the limit: refused hits do not lengthen the wait.
      ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
      ExpressionAttributeNames: { '#ttl': TABLE_KEYS.ttlAttribute },
      ExpressionAttributeValues: {
        ':one': 1,
        ':limit': limit,
        ':ttl': ttlEpochSeconds,
        ':entity': 'RateLimit',
      },
    });
    return updated !== undefined;
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
