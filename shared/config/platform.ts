import * as z from 'zod/mini';
import { ConfigError } from './env.js';

/**
 * The approved platform's configuration: where its Flow, Directory and token services are, who we are to
 * it, and where the secrets live. Read and checked once per container, failing fast with the variable's
 * name. These names join ENV in env.ts once the zod/mini migration has landed there.
 */
export const PLATFORM_ENV = {
  /** Base URL of the platform's Flow Service (`…/v1/flows` is appended), e.g. `https://pa.example/flow`. */
  flowServiceUrl: 'PLATFORM_FLOW_URL',
  /** Base URL of its Directory Service (`…/v1/directory-line/search` appended); the Flow URL when unset. */
  directoryServiceUrl: 'PLATFORM_DIRECTORY_URL',
  /** Its OAuth2 token endpoint (client credentials grant). */
  tokenUrl: 'PLATFORM_TOKEN_URL',
  /** Our OAuth2 client id at the platform. */
  clientId: 'PLATFORM_CLIENT_ID',
  /** ARN of the Secrets Manager secret holding `{"clientSecret":"…","webhookSecret":"…"}` (on AWS). */
  credentialsSecretArn: 'PLATFORM_CREDENTIALS_SECRET_ARN',
  /** The same JSON, inline (the local stack and tests); exactly one of the two is set. */
  credentials: 'PLATFORM_CREDENTIALS',
  /** Milliseconds an HTTP call may take before it counts as timed out (default 10000). */
  timeoutMs: 'PLATFORM_TIMEOUT_MS',
  /** Seconds a webhook's timestamp may differ from our clock (default 300): older calls are replays. */
  callbackToleranceSeconds: 'PLATFORM_CALLBACK_TOLERANCE_SECONDS',
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
