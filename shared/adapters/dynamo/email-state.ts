import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Moves a document's `email.status` (invoice or credit note) from `from` with `update`, only if it is
 * still `from`: the guard that keeps an email from being sent twice (`ready → sending` before SES is
 * called, `sending → sent` after). `#status` names `status` in `update`. False when another caller moved
 * it first.
 */
export async function moveEmailState(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
  update: string,
  from: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: 'email.#status = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':from': from, ...values },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
