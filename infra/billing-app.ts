import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeferredBillingStack } from './stacks/billing-stack.js';

/** Context keys read by the app (`cdk synth -c stackName=… -c marketplaceTimeZone=…`). */
export const CONTEXT = {
  stackName: 'stackName',
  marketplaceTimeZone: 'marketplaceTimeZone',
} as const;

/**
 * Adds the product's stack to `app`, configured from context, and registers the cdk-nag AWS Solutions
 * checks: an unacknowledged finding fails synthesis. `infra/app.ts` and the infra tests share this.
 */
export function configureBillingApp(app: App): DeferredBillingStack {
  const stackName = contextString(app, CONTEXT.stackName) ?? 'DeferredBilling';
  const marketplaceTimeZone = contextString(app, CONTEXT.marketplaceTimeZone) ?? 'Europe/Paris';
  const stack = new DeferredBillingStack(app, stackName, {
    marketplaceTimeZone,
    description: 'Deferred billing for B2B marketplaces: orders, credit, periodic invoices',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`Context ${key} must be a non-empty string`);
  return value;
}
