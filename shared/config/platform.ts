import * as z from 'zod/mini';
import { ConfigError, ENV } from './env.js';

/**
 * The approved platform's configuration: where its Flow, Directory and token services are, who we are to
 * it, and where the secrets live. Read and checked once per container, failing fast with the variable's
 * name. The names are in ENV (env.ts), with the others.
 */
export const PLATFORM_ENV = {
  flowServiceUrl: ENV.platformFlowUrl,
  directoryServiceUrl: ENV.platformDirectoryUrl,
  tokenUrl: ENV.platformTokenUrl,
  clientId: ENV.platformClientId,
  credentialsSecretArn: ENV.platformCredentialsSecretArn,
  credentials: ENV.platformCredentials,
  timeoutMs: ENV.platformTimeoutMs,
  callbackToleranceSeconds: ENV.platformCallbackToleranceSeconds,
} as const;

export interface PlatformConfig {
  flowServiceUrl: string;
  directoryServiceUrl: string;
  tokenUrl: string;
  clientId: string;
  /** Where the client secret and the webhook signing key come from. */
  credentials: { secretArn: string } | { inline: string };
  timeoutMs: number;
  callbackToleranceSeconds: number;
}

const text = () => z.string().check(z.trim(), z.minLength(1, 'is required'));
const httpUrl = () =>
  z.string().check(
    z.trim(),
    z.refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), 'must be an http(s) URL'),
  );
const wholeNumber = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

const PLATFORM_VARIABLES = z.object({
  [PLATFORM_ENV.flowServiceUrl]: httpUrl(),
  [PLATFORM_ENV.directoryServiceUrl]: z.optional(httpUrl()),
  [PLATFORM_ENV.tokenUrl]: httpUrl(),
  [PLATFORM_ENV.clientId]: text(),
  [PLATFORM_ENV.credentialsSecretArn]: z.optional(
    z
      .string()
      .check(z.regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/, 'must be a secret ARN')),
  ),
  [PLATFORM_ENV.credentials]: z.optional(text()),
  [PLATFORM_ENV.timeoutMs]: wholeNumber(100, 120_000, 10_000),
  [PLATFORM_ENV.callbackToleranceSeconds]: wholeNumber(30, 3_600, 300),
});

const REASONS: Partial<Record<string, string>> = {
  [PLATFORM_ENV.timeoutMs]: 'must be whole milliseconds from 100 to 120000',
  [PLATFORM_ENV.callbackToleranceSeconds]: 'must be whole seconds from 30 to 3600',
};

/** Reads the platform's configuration; throws a ConfigError naming the first variable at fault. */
export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const parsed = PLATFORM_VARIABLES.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? '(environment)');
    const reason =
      env[variable] === undefined
        ? 'is required'
        : (REASONS[variable] ?? (issue?.message === 'Invalid input' ? 'is invalid' : issue?.message));
    throw new ConfigError(variable, reason ?? 'is invalid');
  }
  const variables = parsed.data;
  const secretArn = variables[PLATFORM_ENV.credentialsSecretArn];
  const inline = variables[PLATFORM_ENV.credentials];
  if ((secretArn === undefined) === (inline === undefined)) {
    throw new ConfigError(
      PLATFORM_ENV.credentialsSecretArn,
      `or ${PLATFORM_ENV.credentials} must be set, not both`,
    );
  }
  const flowServiceUrl = withoutTrailingSlash(variables[PLATFORM_ENV.flowServiceUrl]);
  return {
    flowServiceUrl,
    directoryServiceUrl: withoutTrailingSlash(variables[PLATFORM_ENV.directoryServiceUrl] ?? flowServiceUrl),
    tokenUrl: variables[PLATFORM_ENV.tokenUrl],
    clientId: variables[PLATFORM_ENV.clientId],
    credentials: secretArn !== undefined ? { secretArn } : { inline: inline ?? '' },
    timeoutMs: variables[PLATFORM_ENV.timeoutMs],
    callbackToleranceSeconds: variables[PLATFORM_ENV.callbackToleranceSeconds],
  };
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');
