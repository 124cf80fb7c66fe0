import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ID_PREFIX, idSchema } from '../../shared/contracts/schemas/ids.js';
import {
  addressKind,
  checkWebhookUrl,
  mayConnectTo,
  newWebhookSecret,
  nextWebhookAttempt,
  webhookIdOf,
  webhookSignatureHeader,
} from '../../shared/core/domain/webhooks.js';

const body = JSON.stringify({
  type: 'Invoice Issued v1',
  timestamp: '2026-12-01T10:00:00.000Z',
  data: { a: 1 },
});

describe('webhook signatures (Standard Webhooks)', () => {
  it('are verified by the standardwebhooks package with the secret shown to the operator', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'msg_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': webhookSignatureHeader(
        [secret],
        'msg_01JD3Z8Q4N5V2B7C9X0K1M2P3R',
        timestamp,
        body,
      ),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('carry one signature per live secret during a rotation, each verifying with its own secret', () => {
    const [next, previous] = [newWebhookSecret(), newWebhookSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = webhookSignatureHeader([next, previous], 'msg_X', timestamp, body);
    expect(signature.split(' ')).toHaveLength(2);
    const headers = {
      'webhook-id': 'msg_X',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(() => new Webhook(next).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    // A body changed on the way fails.
    expect(() => new Webhook(next).verify(`${body} `, headers)).toThrow();
  });
});

describe('the webhook-id', () => {
  it('is the same for one event and endpoint, another for another endpoint, and a valid message id', () => {
    const id = webhookIdOf('whe_A', 'acc_1#2026-12-01T10:00:00.000Z#e1', '2026-12-01T10:00:00.000Z');
    expect(webhookIdOf('whe_A', 'acc_1#2026-12-01T10:00:00.000Z#e1', '2026-12-01T10:00:00.000Z')).toBe(id);
    expect(webhookIdOf('whe_B', 'acc_1#2026-12-01T10:00:00.000Z#e1', '2026-12-01T10:00:00.000Z')).not.toBe(
      id,
    );
    expect(idSchema(ID_PREFIX.webhookMessage).safeParse(id).success).toBe(true);
  });

  it('sorts by the event time, so a listing by id is in event order', () => {
    const earlier = webhookIdOf('whe_A', 'z', '2026-12-01T10:00:00.000Z');
    const later = webhookIdOf('whe_A', 'a', '2026-12-01T10:00:00.001Z');
    expect(earlier < later).toBe(true);
  });
});

describe('the retry schedule', () => {
  it('backs off 30 s, 2 min, 10 min, 1 h, then every 6 h, the last try at 3 days, then gives up', () => {
    const since = new Date('2026-12-01T00:00:00Z');
    let now = since;
    const waits: number[] = [];
    for (let failures = 1; failures < 50; failures += 1) {
      const next = nextWebhookAttempt(failures, since, now);
      if (!next) break;
      waits.push(next.getTime() - now.getTime());
      now = next;
    }
    expect(waits.slice(0, 6)).toEqual([30_000, 120_000, 600_000, 3_600_000, 21_600_000, 21_600_000]);
    expect(now.toISOString()).toBe('2026-12-04T00:00:00.000Z');
    expect(nextWebhookAttempt(waits.length + 1, since, now)).toBeUndefined();
  });
});

describe('webhook targets (no server-side request forgery)', () => {
  it.each([
    ['10.1.2.3'],
    ['172.20.0.1'],
    ['192.168.1.1'],
    ['100.64.0.1'],
    ['169.254.169.254'],
    ['0.0.0.0'],
    ['224.0.0.1'],
    ['255.255.255.255'],
    ['fe80::1'],
    ['fc00::1'],
    ['fd00:ec2::254'],
    ['ff02::1'],
    ['::'],
    ['::ffff:10.0.0.1'],
    ['::ffff:a9fe:a9fe'],
    ['::ffff:127.0.0.1'],
    ['64:ff9b::a00:1'],
    ['2002:a00:1::'],
    ['2001:db8::1'],
  ])('refuses %s, even with the loopback allowance', (address) => {
    expect(mayConnectTo(address, 'none')).toBe(false);
    expect(mayConnectTo(address, 'loopback')).toBe(address === '::ffff:127.0.0.1');
  });

  it('takes public addresses, and loopback only with the allowance', () => {
    for (const address of ['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(addressKind(address)).toBe('public');
    }
    for (const address of ['127.0.0.1', '127.5.6.7', '::1', '0:0:0:0:0:0:0:1']) {
      expect(mayConnectTo(address, 'none')).toBe(false);
      expect(mayConnectTo(address, 'loopback')).toBe(true);
    }
  });

  it.each([
    ['http://erp.example.com/hook', 'must be an https:// URL'],
    ['https://user:pw@erp.example.com/hook', 'must not carry credentials (user:password@)'],
    ['https://10.0.0.1/hook', 'must name a host, not an IP address'],
    ['https://0x7f.1/hook', 'must name a host, not an IP address'],
    ['https://2130706433/hook', 'must name a host, not an IP address'],
    ['https://[::1]/hook', 'must name a host, not an IP address'],
    ['https://[::ffff:7f00:1]/hook', 'must name a host, not an IP address'],
    ['https://[::ffff:169.254.169.254]/hook', 'must name a host, not an IP address'],
    ['https://intranet/hook', 'must name a fully qualified host'],
    ['not a url', 'is not an absolute URL'],
    [`https://erp.example.com/${'a'.repeat(2048)}`, 'must be at most 2048 characters'],
  ])('refuses the URL %s: %s', (url, reason) => {
    expect(checkWebhookUrl(url, 'none')).toEqual({ ok: false, reason });
  });

  it('lets a loopback receiver in over http only with the allowance, and never another private one', () => {
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', 'loopback')).toEqual({
      ok: true,
      checked: { url: 'http://127.0.0.1:4000/hook' },
    });
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', 'none').ok).toBe(false);
    expect(checkWebhookUrl('https://10.0.0.1/hook', 'loopback').ok).toBe(false);
    expect(checkWebhookUrl('http://erp.example.com/hook', 'loopback').ok).toBe(false);
    expect(checkWebhookUrl('https://erp.example.com/hook', 'none')).toEqual({
      ok: true,
      checked: { url: 'https://erp.example.com/hook', hostToResolve: 'erp.example.com' },
    });
  });
});
