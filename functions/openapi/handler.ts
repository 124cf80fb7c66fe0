import { buildOpenApiDocument } from '../../shared/contracts/http/openapi.js';
import { OPENAPI_ROUTES } from '../../shared/contracts/http/routes/openapi.js';
import { apiHandler } from '../commons/api-handler.js';

let document: string | undefined;

/** `GET /v1/openapi.json`: public, generated once per container from the route table and schemas. */
export const handler = apiHandler(OPENAPI_ROUTES, {
  getOpenApi: async () => {
    document ??= JSON.stringify(buildOpenApiDocument());
    return { body: JSON.parse(document) as unknown, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
