import * as z from 'zod/mini';
import '../contracts/zod-locale.js';
import type { PrivateTargetAllowance } from '../core/domain/webhooks.js';
import { ENV, readEnv } from './env.js';

/** Which private targets webhooks may reach: none, unless the local stack or a test says `loopback`. */
export function loadWebhookAllowance(env: NodeJS.ProcessEnv = process.env): PrivateTargetAllowance {
  const variables = readEnv(
    { [ENV.webhookAllowPrivateTargets]: z._default(z.enum(['none', 'loopback']), 'none') },
    env,
  );
  return variables[ENV.webhookAllowPrivateTargets];
}
