/**
 * Endpoints, names and the environment of the local stack. Kept free of SDK imports: the vitest setup file
 * loads it in every test worker.
 */

/** Region and credentials the emulators accept (s3rver insists on S3RVER/S3RVER; the others take anything). */
export const LOCAL_REGION = 'eu-west-3';
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  /** SES API; also serves the mailbox web UI at `/` and the captured mail at `GET /store`. */
  ses: string;
}

export interface LocalResourceNames {
  tableName: string;
  invoiceBucketName: string;
}

/**
 * The environment that points the app's SDK clients at the emulators, through the SDK's standard variables
 * only: application code never knows it runs locally.
 */
export function localEnvironment(
  endpoints: LocalEndpoints,
  names: LocalResourceNames,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: names.tableName,
    INVOICE_BUCKET_NAME: names.invoiceBucketName,
    MARKETPLACE_TIME_ZONE: 'Europe/Paris',
  };
}
