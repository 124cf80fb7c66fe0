import { inContainer, platformSyncDeps } from '../../shared/composition/root.js';
import { MAX_BODY_BYTES } from '../../shared/contracts/http/routes/definition.js';
import { PLATFORM_CALLBACKS_ROUTES } from '../../shared/contracts/http/routes/platform-callbacks.js';
import { DomainError } from '../../shared/core/errors.js';
import { receivePlatformCallback } from '../../shared/core/usecases/einvoice-lifecycle.js';
import { apiHandler } from '../commons/api-handler.js';
import { logger } from '../commons/logger.js';

const lifecycle = inContainer((base) => platformSyncDeps(base));

/**
 * `POST /v1/platform/callbacks`: the approved platform's webhook. Public and signed: the raw body and the
 * headers (lower-cased, as API Gateway passes them) go to the platform adapter, which checks the signature
 * before anything; a refusal is logged and answered 401, and changes nothing.
 */
export const handler = apiHandler(PLATFORM_CALLBACKS_ROUTES, {
  receivePlatformCallback: async ({ event }) => {
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
      throw new DomainError(
        'payload_too_large',
        413,
        'Payload too large',
        `The body exceeds ${MAX_BODY_BYTES} bytes.`,
        [{ field: '(body)', reason: `must be at most ${MAX_BODY_BYTES} bytes` }],
      );
    }
    const contentType = event.headers?.['content-type'] ?? '';
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(contentType)) {
      throw new DomainError(
        'unsupported_media_type',
        415,
        'Unsupported media type',
        'The callback must be JSON: Content-Type: application/json.',
        [{ field: 'Content-Type', reason: contentType ? `${contentType} is not accepted` : 'is missing' }],
      );
    }
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
