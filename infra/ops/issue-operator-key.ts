/**
 * Issues an operator API key against a deployed table (or the local one) and prints it once.
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npm run operator-key
 *
 * Operator keys are not issued through the API on purpose: whoever can run this has write access to the
 * table already. Only the key's SHA-256 hash is stored.
 */

import { getDocumentClient } from '../../shared/adapters/aws-clients.js';
import { ApiKeyRepository } from '../../shared/adapters/dynamo/api-key-repository.js';
import { loadConfig } from '../../shared/config/app.js';
import { issueApiKey } from '../../shared/core/usecases/api-keys.js';

const config = loadConfig();
const { record, apiKey } = await issueApiKey(
  new ApiKeyRepository({ client: getDocumentClient(), tableName: config.tableName }),
  {
    role: 'operator',
  },
);
process.stdout.write(
  `Operator key ${record.keyId} issued on table ${config.tableName}.\n` +
    `Store it in your vault now; it is shown once:\n\n  ${apiKey}\n`,
);
