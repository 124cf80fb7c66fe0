import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

/** The last number a sequence counter item gave (`last`), strongly consistent; 0 before the first. */
export async function readCounter(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<number> {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  return (Item?.last as number | undefined) ?? 0;
}
