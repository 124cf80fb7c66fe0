import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per container; every line carries the request and correlation ids. */
export const logger = new Logger({ serviceName: 'deferred-billing' });
