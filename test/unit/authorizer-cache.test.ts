import { describe, expect, it } from 'vitest';
import { localAuthorizerCacheSeconds } from '../../infra/local/settings.js';
import { AUTHORIZER_CACHE_SECONDS, parseAuthorizerCacheSeconds } from '../../shared/core/domain/api-keys.js';

describe('the authorizer cache lifetime', () => {
  it('is 10 seconds unless configured: the longest a revoked key keeps working', () => {
    expect(AUTHORIZER_CACHE_SECONDS.default).toBe(10);
    expect(localAuthorizerCacheSeconds({})).toBe(10);
    expect(localAuthorizerCacheSeconds({ AUTHORIZER_CACHE_SECONDS: '' })).toBe(10);
  });

  it('is read from AUTHORIZER_CACHE_SECONDS by npm start, 0 turning the cache off', () => {
    expect(localAuthorizerCacheSeconds({ AUTHORIZER_CACHE_SECONDS: '2' })).toBe(2);
    expect(localAuthorizerCacheSeconds({ AUTHORIZER_CACHE_SECONDS: ' 0 ' })).toBe(0);
    expect(localAuthorizerCacheSeconds({ AUTHORIZER_CACHE_SECONDS: '3600' })).toBe(3600);
  });

  it.each(['-1', '3601', '1.5', '10s', 'ten', '1e3'])(
    'refuses AUTHORIZER_CACHE_SECONDS=%s naming the variable and the range',
    (value) => {
      expect(() => localAuthorizerCacheSeconds({ AUTHORIZER_CACHE_SECONDS: value })).toThrow(
        `AUTHORIZER_CACHE_SECONDS must be a whole number of seconds from 0 to 3600: ${value}`,
      );
    },
  );

  it('takes numbers or their text from CDK context, within API Gateway’s 0 to 3600 seconds', () => {
    expect(parseAuthorizerCacheSeconds(30, 'Context authorizerCacheSeconds')).toBe(30);
    expect(parseAuthorizerCacheSeconds('0', 'Context authorizerCacheSeconds')).toBe(0);
    for (const value of [3601, -5, 2.5, true, null, {}]) {
      expect(() => parseAuthorizerCacheSeconds(value, 'Context authorizerCacheSeconds')).toThrow(
        /^Context authorizerCacheSeconds must be a whole number of seconds from 0 to 3600/,
      );
    }
  });
});
