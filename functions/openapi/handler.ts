import { buildOpenApiDocument } from '../../shared/contracts/http/openapi.js';
import { apiHandler } from '../commons/api-handler.js';

let document: string | undefined;

/** `GET /v1/openapi.json`: public, generated once per container from the route table and schemas. */
export const handler = apiHandler('openapi', {
  getOpenApi: async () => {
    document ??= JSON.stringify(buildOpenApiDocument());
    return { body: JSON.parse(document) as unknown, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
