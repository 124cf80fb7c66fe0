import { createApiServer, listen } from '../../infra/local/http-adapter.js';

export interface TestApi {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash). */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the local API Gateway adapter in-process on a free port, in front of the real handlers.
 * Needs the integration project's environment (emulators); call in `beforeAll`, close in `afterAll`.
 */
export async function startTestApi(options: Parameters<typeof createApiServer>[0] = {}): Promise<TestApi> {
  // No authorizer cache by default: tests see a revocation at once (on AWS it takes up to the cache TTL).
  const server = createApiServer({ authorizerCacheTtlSeconds: 0, ...options });
  const baseUrl = await listen(server, 0);
  return {
    baseUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
