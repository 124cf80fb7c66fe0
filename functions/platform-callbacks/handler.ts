import { inContainer, platformSyncDeps } from '../../shared/composition/root.js';
import { PLATFORM_CALLBACKS_ROUTES } from '../../shared/contracts/http/routes/platform-callbacks.js';
import { DomainError } from '../../shared/core/errors.js';
import { receivePlatformCallback } from '../../shared/core/usecases/einvoice-lifecycle.js';
import { apiHandler, jsonBodyText } from '../commons/api-handler.js';
import { logger } from '../commons/logger.js';

const lifecycle = inContainer((base) => platformSyncDeps(base));

/**
 * `POST /v1/platform/callbacks`: the approved platform's webhook. Public and signed: the raw body and the
 * headers (lower-cased, as API Gateway passes them) go to the platform adapter, which checks the signature
 * before anything; a refusal is logged and answered 401, and changes nothing.
 */
export const handler = apiHandler(PLATFORM_CALLBACKS_ROUTES, {
  receivePlatformCallback: async ({ event }) => {
    const body = jsonBodyText(event);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
    try {
      return { body: await receivePlatformCallback(lifecycle(), { headers, body }) };
    } catch (error) {
      if (error instanceof DomainError && error.status === 401) {
        // Someone other than the platform, or a replay: worth a warning, never an answer that helps.
        logger.warn('platform callback refused', {
          code: error.code,
          reason: error.errors[0]?.reason,
          webhookId: headers['webhook-id'],
          sourceIp: event.requestContext.http.sourceIp,
        });
      }
      throw error;
    }
  },
});
