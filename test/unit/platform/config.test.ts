import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../../../shared/config/platform.js';

const LOCAL = {
  PLATFORM_FLOW_URL: 'http://127.0.0.1:8085/flow/',
  PLATFORM_TOKEN_URL: 'http://127.0.0.1:8085/oauth/token',
  PLATFORM_CLIENT_ID: 'deferred-billing',
  PLATFORM_CREDENTIALS: '{"clientSecret":"s","webhookSecret":"c2VjcmV0LXNlY3JldC1zZWNyZXQ="}',
};
const ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:platform-AbCdEf';

describe('the platform configuration is read once and refused with the variable at fault', () => {
  it('reads the local configuration, with the defaults', () => {
    expect(loadPlatformConfig(LOCAL)).toEqual({
      flowServiceUrl: 'http://127.0.0.1:8085/flow',
      directoryServiceUrl: 'http://127.0.0.1:8085/flow',
      tokenUrl: 'http://127.0.0.1:8085/oauth/token',
      clientId: 'deferred-billing',
      credentials: { inline: LOCAL.PLATFORM_CREDENTIALS },
      timeoutMs: 10_000,
      callbackToleranceSeconds: 300,
    });
  });

  it('reads the deployed configuration: the secret by its ARN, a separate directory service', () => {
    const { PLATFORM_CREDENTIALS: _inline, ...deployed } = LOCAL;
    const config = loadPlatformConfig({
      ...deployed,
      PLATFORM_CREDENTIALS_SECRET_ARN: ARN,
      PLATFORM_DIRECTORY_URL: 'https://pa.example/directory',
      PLATFORM_TIMEOUT_MS: '5000',
    });
    expect(config.credentials).toEqual({ secretArn: ARN });
    expect(config.directoryServiceUrl).toBe('https://pa.example/directory');
    expect(config.timeoutMs).toBe(5000);
  });

  it.each([
    ['no Flow Service URL', { PLATFORM_FLOW_URL: undefined }, /PLATFORM_FLOW_URL is required/],
    [
      'a Flow Service URL that is not one',
      { PLATFORM_FLOW_URL: 'pa.example' },
      /PLATFORM_FLOW_URL must be an http\(s\) URL/,
    ],
    ['no client id', { PLATFORM_CLIENT_ID: ' ' }, /PLATFORM_CLIENT_ID is required/],
    ['a timeout of no use', { PLATFORM_TIMEOUT_MS: '5' }, /PLATFORM_TIMEOUT_MS must be whole milliseconds/],
    [
      'both kinds of credentials',
      { PLATFORM_CREDENTIALS_SECRET_ARN: ARN },
      /PLATFORM_CREDENTIALS_SECRET_ARN or PLATFORM_CREDENTIALS must be set, not both/,
    ],
    [
      'no credentials',
      { PLATFORM_CREDENTIALS: undefined },
      /PLATFORM_CREDENTIALS_SECRET_ARN or PLATFORM_CREDENTIALS/,
    ],
    [
      'a secret that is not an ARN',
      { PLATFORM_CREDENTIALS: undefined, PLATFORM_CREDENTIALS_SECRET_ARN: 'platform' },
      /PLATFORM_CREDENTIALS_SECRET_ARN must be a secret ARN/,
    ],
  ])('%s', (_case, change, message) => {
    expect(() => loadPlatformConfig({ ...LOCAL, ...change })).toThrow(message);
  });
});
