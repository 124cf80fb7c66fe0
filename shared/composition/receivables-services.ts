import { getDocumentClient, getSesClient } from '../adapters/aws-clients.js';
import { ReceivablesRepository } from '../adapters/dynamo/receivables-repository.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { loadReceivablesConfig } from '../config/receivables.js';
import type { ReceivablesConfig } from '../core/ports/settings.js';
import type { ReceivablesDeps } from '../core/usecases/receivables.js';
import { type Services, services } from './services.js';

let memo: ReceivablesDeps | undefined;

/** What the daily receivables job needs: the table, SES and its ladder (no S3, no PDF renderer). */
export function receivablesServices(): ReceivablesDeps {
  memo ??= createReceivablesServices(services(), loadReceivablesConfig());
  return memo;
}

export function createReceivablesServices(base: Services, config: ReceivablesConfig): ReceivablesDeps {
  return {
    receivables: new ReceivablesRepository({ client: getDocumentClient(), tableName: base.config.tableName }),
    mailer: new SesMailer(getSesClient()),
    clock: base.clock,
    config,
  };
}
