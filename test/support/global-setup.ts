import type { TestProject } from 'vitest/node';
import {
  createBucketIfMissing,
  createTableIfMissing,
  type LocalEndpoints,
  type LocalResourceNames,
  startLocalStack,
} from '../../infra/local/emulators.js';
import { type BillingDefinition, loadBillingDefinition } from '../../infra/local/state-machine.js';
import { registerTestSellers } from './sellers.js';

/** What the global setup hands to the integration and e2e tests (read with `inject('localStack')`). */
export interface LocalStackContext extends LocalResourceNames {
  endpoints: LocalEndpoints;
}

/** The billing workflow synthesized from the CDK stack, or why it could not be (read with `inject`). */
export type BillingWorkflowContext = { definition: BillingDefinition } | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absent in projects without this global setup (unit, infra). */
    localStack?: LocalStackContext;
    /** Absent in projects without this global setup (unit, infra). */
    billingWorkflow?: BillingWorkflowContext;
  }
}

export const TEST_TABLE_NAME = 'billing-test';
export const TEST_BUCKET_NAME = 'invoices-test';

/**
 * Starts DynamoDB Local, s3rver and the SES emulator in memory on free ports for the whole run, creates the
 * table (with the test sellers registered) and the bucket, and stops everything at the end. Meanwhile it synthesizes the billing workflow once
 * (cached in `.local/cache` while the infra code is unchanged) so no test worker pays for it.
 * `test/support/setup.ts` turns the provided endpoints into the SDK's standard environment variables inside
 * each test worker, and starts that worker's Step Functions endpoint.
 */
export default async function setup(project: TestProject) {
  const workflow = loadBillingDefinition().then(
    (definition): BillingWorkflowContext => ({ definition }),
    (error: unknown): BillingWorkflowContext => ({ error: (error as Error).message }),
  );
  const stack = await startLocalStack({ ports: { dynamodb: 0, s3: 0, ses: 0 } });
  try {
    await createTableIfMissing(stack.endpoints.dynamodb, TEST_TABLE_NAME);
    await registerTestSellers(stack.endpoints.dynamodb, TEST_TABLE_NAME);
    await createBucketIfMissing(stack.endpoints.s3, TEST_BUCKET_NAME);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  project.provide('localStack', {
    endpoints: stack.endpoints,
    tableName: TEST_TABLE_NAME,
    invoiceBucketName: TEST_BUCKET_NAME,
  });
  project.provide('billingWorkflow', await workflow);
  return async () => {
    await stack.stop();
  };
}
