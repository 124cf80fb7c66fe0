import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../../shared/adapters/platform/webhook-signature.js';

const SECRET = Buffer.from('the platform and we share this key').toString('base64');
const BODY = '{"flowInfo":{"flowId":"f-1"}}';
const SIGNED_AT = 1_798_000_000;
const at = (seconds: number) => new Date(seconds * 1000);
const signed = signWebhook({ secret: SECRET, id: 'msg-1', timestamp: SIGNED_AT, body: BODY });
const verify = (headers: Record<string, string | undefined>, body = BODY, now = at(SIGNED_AT + 10)) =>
  verifyWebhook({ secret: SECRET, headers, body, now, toleranceSeconds: 300 });

describe('platform webhooks are accepted only when signed with our key, recently', () => {
  it('signs as Standard Webhooks does: HMAC-SHA256 of id.timestamp.body, base64, prefixed v1', () => {
    const expected = createHmac('sha256', Buffer.from(SECRET, 'base64'))
      .update(`msg-1.${SIGNED_AT}.${BODY}`)
      .digest('base64');
    expect(signed).toEqual({
      'webhook-id': 'msg-1',
      'webhook-timestamp': String(SIGNED_AT),
      'webhook-signature': `v1,${expected}`,
    });
  });

  it('accepts a good signature, also among the several a key rotation brings', () => {
    expect(verify(signed)).toEqual({ ok: true, id: 'msg-1' });
    const other = signWebhook({
      secret: Buffer.from('old key old key!').toString('base64'),
      id: 'msg-1',
      timestamp: SIGNED_AT,
      body: BODY,
    });
    const both = {
      ...signed,
      'webhook-signature': `${other['webhook-signature']} ${signed['webhook-signature']}`,
    };
    expect(verify(both)).toEqual({ ok: true, id: 'msg-1' });
  });

  it('refuses a body changed after signing, another key, and a call without signature headers', () => {
    expect(verify(signed, BODY.replace('f-1', 'f-2'))).toEqual({ ok: false, reason: 'bad_signature' });
    const forged = signWebhook({
      secret: Buffer.from('not the shared key').toString('base64'),
      id: 'msg-1',
      timestamp: SIGNED_AT,
      body: BODY,
    });
    expect(verify(forged)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ ...signed, 'webhook-signature': 'v1,short' })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify({ ...signed, 'webhook-timestamp': `${SIGNED_AT + 1}` })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify({ 'webhook-id': 'msg-1' })).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('refuses a replay older than the tolerance, and a call signed in the future', () => {
    expect(verify(signed, BODY, at(SIGNED_AT + 301))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(signed, BODY, at(SIGNED_AT - 301))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(signed, BODY, at(SIGNED_AT + 299)).ok).toBe(true);
  });
});
