import { describe, expect, it } from 'vitest';
import {
  csrfTokenMatches,
  csrfTokenOf,
  emailKeyOf,
  hashSignInCode,
  newSecret,
  newSignInCode,
  rateWindowOf,
  SESSION_COOKIE,
  sessionCookie,
  sessionSecretOf,
  slidIdleExpiry,
} from '../../shared/core/domain/buyers.js';

describe('buyer emails', () => {
  it('are one person whatever their case and surrounding spaces', () => {
    expect(emailKeyOf(' Claire.Martin@Martin.Example ')).toBe(emailKeyOf('claire.martin@martin.example'));
    expect(emailKeyOf('claire@martin.example')).not.toBe(emailKeyOf('paul@martin.example'));
  });
});

describe('sign-in codes', () => {
  it('are six digits, and hash differently under two challenges', () => {
    for (let i = 0; i < 200; i++) expect(newSignInCode()).toMatch(/^\d{6}$/);
    expect(hashSignInCode('a', '123456')).not.toBe(hashSignInCode('b', '123456'));
  });
});

describe('the session cookie', () => {
  it('is __Host-, HttpOnly, Secure, SameSite=Lax on Path=/ without Domain', () => {
    const cookie = sessionCookie('s'.repeat(43), 12 * 3_600_000);
    expect(cookie).toBe(
      `${SESSION_COOKIE}=${'s'.repeat(43)}; Path=/; Max-Age=43200; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('is read from the request cookies, and nothing else is taken for it', () => {
    const secret = newSecret();
    expect(sessionSecretOf([`theme=dark`, `${SESSION_COOKIE}=${secret}`])).toBe(secret);
    expect(sessionSecretOf([`a=1; ${SESSION_COOKIE}=${secret}; b=2`])).toBe(secret);
    expect(sessionSecretOf([`buyer_session=${secret}`])).toBeUndefined();
    expect(sessionSecretOf([`${SESSION_COOKIE}=short`])).toBeUndefined();
    expect(sessionSecretOf([`${SESSION_COOKIE}=${secret.slice(0, 42)}!`])).toBeUndefined();
    expect(sessionSecretOf(undefined)).toBeUndefined();
  });
});

describe('the CSRF token', () => {
  it("is bound to its session: another session's token, or none, does not match", () => {
    const session = newSecret();
    expect(csrfTokenMatches(session, csrfTokenOf(session))).toBe(true);
    expect(csrfTokenMatches(session, csrfTokenOf(newSecret()))).toBe(false);
    expect(csrfTokenMatches(session, undefined)).toBe(false);
    expect(csrfTokenMatches(session, '')).toBe(false);
    expect(csrfTokenMatches(session, `${csrfTokenOf(session)}x`)).toBe(false);
  });
});

describe('expiries and windows', () => {
  it('never pushes the idle expiry past the absolute one', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(slidIdleExpiry(now, '2026-12-01T22:00:00.000Z')).toBe('2026-12-01T10:30:00.000Z');
    expect(slidIdleExpiry(now, '2026-12-01T10:10:00.000Z')).toBe('2026-12-01T10:10:00.000Z');
  });

  it('counts in fixed windows and says how long is left', () => {
    const window = rateWindowOf(new Date('2026-12-01T10:07:30Z'), 15 * 60_000);
    expect(window).toEqual({
      start: '2026-12-01T10:00:00.000Z',
      endsAt: '2026-12-01T10:15:00.000Z',
      retryAfterSeconds: 450,
    });
  });
});
