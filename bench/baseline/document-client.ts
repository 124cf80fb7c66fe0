/**
 * The init baseline: a Lambda that holds only the DynamoDB document client, built as the product's own
 * clients are (shared/adapters/aws-clients.ts) at module scope. The bench bundles it with the functions'
 * esbuild options and imports it in fresh Node processes beside orders-create: what any function talking to
 * DynamoDB pays before its first line of product code.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/** Answers without the network, so the probe's first invocation measures nothing but a call. */
export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 204 });
