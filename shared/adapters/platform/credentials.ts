import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';

/** What we hold to talk to the platform: the OAuth2 client secret and the webhook signing key (base64). */
export interface PlatformSecrets {
  clientSecret: string;
  webhookSecret: string;
}

/**
 * Where the secrets come from. `current()` is cheap (cached); `refresh()` reads them again, for when the
 * platform refuses what we hold (a rotated secret), and is rate-limited so a flood of forged webhooks can
 * never turn into a flood of Secrets Manager calls.
 */
export interface PlatformCredentials {
  current(): Promise<PlatformSecrets>;
  refresh(): Promise<PlatformSecrets>;
}

/** The secrets could not be read or are not what they must be; names where they came from. */
export class PlatformCredentialsError extends Error {
  override name = 'PlatformCredentialsError';
}

const secretsSchema = z.object({
  clientSecret: z.string().check(z.minLength(1)),
  webhookSecret: z.string().check(z.regex(/^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/)),
});

/** Parses the secrets' JSON (`{"clientSecret":"…","webhookSecret":"<base64>"}`), naming `source` on failure. */
export function parsePlatformSecrets(text: string, source: string): PlatformSecrets {
  let candidate: unknown;
  try {
    candidate = JSON.parse(text);
  } catch {
    throw new PlatformCredentialsError(`${source} is not JSON`);
  }
  const parsed = secretsSchema.safeParse(candidate);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(value)'))];
    throw new PlatformCredentialsError(
      `${source} must hold clientSecret and webhookSecret (base64, 16 characters or more); wrong: ${fields.join(', ')}`,
    );
  }
  return parsed.data;
}

/** Secrets given inline (the local stack, tests): parsed now, so a wrong value fails at start-up. */
export function inlineCredentials(json: string, source = 'PLATFORM_CREDENTIALS'): PlatformCredentials {
  const secrets = parsePlatformSecrets(json, source);
  return { current: async () => secrets, refresh: async () => secrets };
}

/**
 * Secrets read from Secrets Manager once, kept `maxAgeSeconds` (rotation reaches a warm container within
 * that time), read again on `refresh()` at most once per `minRefreshSeconds`.
 */
export function secretsManagerCredentials(
  client: SecretsManagerClient,
  secretArn: string,
  options: { maxAgeSeconds?: number; minRefreshSeconds?: number; now?: () => number } = {},
): PlatformCredentials {
  const maxAgeMs = (options.maxAgeSeconds ?? 3600) * 1000;
  const minRefreshMs = (options.minRefreshSeconds ?? 300) * 1000;
  const now = options.now ?? Date.now;
  let cached: { secrets: PlatformSecrets; readAt: number } | undefined;
  let reading: Promise<PlatformSecrets> | undefined;
  const read = () => {
    // Concurrent callers share one read.
    reading ??= (async () => {
      try {
        const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
        if (!SecretString) throw new PlatformCredentialsError(`secret ${secretArn} has no string value`);
        const secrets = parsePlatformSecrets(SecretString, `secret ${secretArn}`);
        cached = { secrets, readAt: now() };
        return secrets;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  return {
    current: async () => (cached && now() - cached.readAt < maxAgeMs ? cached.secrets : read()),
    refresh: async () => (cached && now() - cached.readAt < minRefreshMs ? cached.secrets : read()),
  };
}
