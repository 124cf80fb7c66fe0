import { Aws, Fn } from 'aws-cdk-lib';

/**
 * A physical name unique to this creation of the stack: `base` and the last group of the stack id's UUID
 * (12 hex digits). Resources that outlive their stack (RemovalPolicy.RETAIN) and need a name must not
 * have a fixed one, or a failed first deploy leaves them behind and the retry fails ("already exists"):
 * the stack id is new at each creation and constant across updates, so the retry gets new names and an
 * update keeps them. `maxLength` trims `base` to fit the service's limit.
 */
export function namePerStackCreation(base: string, maxLength = 256): string {
  const uuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const lastGroup = Fn.select(4, Fn.split('-', uuid));
  return Fn.join('-', [base.slice(0, maxLength - 13), lastGroup]);
}
