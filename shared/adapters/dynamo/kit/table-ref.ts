import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The single table as repositories reach it: the container's document client and the table's name. */
export interface TableRef {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}
