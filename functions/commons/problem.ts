import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Problem } from '../../shared/contracts/schemas/problem.js';
import { DomainError, type FieldError } from '../../shared/core/errors.js';

export const PROBLEM_TYPE_BASE = 'https://deferred-billing.example/problems/';

/** RFC 9457 problem+json response. */
export function problemResponse(
  problem: Omit<Problem, 'type'> & Record<string, unknown>,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${problem.code}`, ...problem }),
  };
}

/** Maps any error to a problem; only DomainErrors show their details, the rest is a bare 500. */
export function errorToProblem(error: unknown, instance?: string): APIGatewayProxyStructuredResultV2 {
  if (error instanceof DomainError) {
    // RFC 9110: every 401 carries a challenge.
    const headers: Record<string, string> =
      error.status === 401 ? { 'www-authenticate': 'Bearer realm="deferred-billing"' } : {};
    // RFC 6585: a 429 says when to come back (its seconds are also in the body's retryAfterSeconds).
    const retryAfter = error.extensions.retryAfterSeconds;
    if (error.status === 429 && typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
    return problemResponse(
      {
        title: error.title,
        status: error.status,
        code: error.code,
        detail: error.message,
        ...(instance ? { instance } : {}),
        ...(error.errors.length > 0 ? { errors: error.errors as FieldError[] } : {}),
        ...error.extensions,
      },
      headers,
    );
  }
  return problemResponse({
    title: 'Internal error',
    status: 500,
    code: 'internal_error',
    detail: 'The request could not be completed; nothing was half-written and it is safe to retry.',
    ...(instance ? { instance } : {}),
  });
}
