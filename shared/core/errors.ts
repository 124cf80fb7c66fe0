/**
 * Typed domain errors. Each carries a stable machine-readable `code`, the HTTP status it maps to, and the
 * fields at fault. The one error middleware turns them into RFC 9457 problem+json; anything else is a 500
 * whose internals never reach the caller.
 */
export interface FieldError {
  /** Dotted path of the field at fault, e.g. `lines.0.quantity`, or a header such as `Idempotency-Key`. */
  field: string;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors: readonly FieldError[] = [],
    /** Extra members of the problem document (e.g. `availableCreditMinor`). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}

export const validationFailed = (errors: readonly FieldError[], detail = 'The request is not valid.') =>
  new DomainError('validation_failed', 400, 'Validation failed', detail, errors);

export const notFound = (what: string, id: string) =>
  new DomainError(`${what}_not_found`, 404, 'Not found', `No ${what.replace(/_/g, ' ')} ${id}.`);

export const forbidden = (detail: string) => new DomainError('forbidden', 403, 'Forbidden', detail);

export const conflict = (code: string, detail: string) => new DomainError(code, 409, 'Conflict', detail);

/** A business rule refused the request; nothing was recorded. */
export const refused = (
  code: string,
  detail: string,
  errors: readonly FieldError[] = [],
  extensions: Record<string, unknown> = {},
) => new DomainError(code, 422, 'Request refused', detail, errors, extensions);
