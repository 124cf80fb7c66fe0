import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients, built once per container and reused across invocations.
 * Endpoints come only from the SDK's standard variables (`AWS_ENDPOINT_URL_DYNAMODB`, …), so the same code
 * talks to AWS in production and to the emulators locally and in tests.
 */
let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;
let sesClient: SESClient | undefined;
let sfnClient: SFNClient | undefined;
let eventBridgeClient: EventBridgeClient | undefined;
let secretsManagerClient: SecretsManagerClient | undefined;

export function getDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function getS3Client(): S3Client {
  // Virtual-hosted addressing on AWS; the SDK falls back to path style for an IP endpoint (s3rver).
  s3Client ??= new S3Client({});
  return s3Client;
}

export function getSesClient(): SESClient {
  sesClient ??= new SESClient({});
  return sesClient;
}

export function getSfnClient(): SFNClient {
  sfnClient ??= new SFNClient({});
  return sfnClient;
}

export function getEventBridgeClient(): EventBridgeClient {
  eventBridgeClient ??= new EventBridgeClient({});
  return eventBridgeClient;
}

export function getSecretsManagerClient(): SecretsManagerClient {
  secretsManagerClient ??= new SecretsManagerClient({});
  return secretsManagerClient;
}
