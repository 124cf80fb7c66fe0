import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { functionEntry, LAMBDA_BUNDLING, REPO_ROOT } from '../bundling/esbuild-options.js';
import type { DataTable } from './data-table.js';

/** Environment variable names the functions read (see `shared/config.ts`). */
export const ENV = {
  tableName: 'TABLE_NAME',
  marketplaceTimeZone: 'MARKETPLACE_TIME_ZONE',
} as const;

/**
 * DynamoDB item actions a function may be granted. `Scan` is deliberately absent: no request path scans
 * the table (invariant 9). Transactions need no action of their own: IAM checks each item's action
 * (`TransactWriteItems` = `ConditionCheckItem`/`PutItem`/`UpdateItem`/`DeleteItem`, `TransactGetItems` = `GetItem`).
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem';

/** Named access levels, or the exact list of actions when a function needs less. */
export type TableAccess = 'read' | 'readWrite' | readonly TableAction[];

const READ_ACTIONS: readonly TableAction[] = ['GetItem', 'BatchGetItem', 'Query'];
const TABLE_ACCESS_ACTIONS: Record<'read' | 'readWrite', readonly TableAction[]> = {
  read: READ_ACTIONS,
  readWrite: [...READ_ACTIONS, 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
};

export interface ProjectFunctionProps {
  /**
   * Folder under `functions/`: the entry is `functions/<name>/handler.ts`, the export `handler`.
   */
  readonly name: string;
  /**
   * What the function does, shown in the Lambda console.
   * @default `deferred-billing <name>`
   */
  readonly description?: string;
  /**
   * Memory in MB. CPU grows with memory; 1 GB keeps cold starts of a bundle with the AWS SDK short.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Maximum run time. API Gateway gives up on an integration after 30 s anyway.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the function's log group. One month covers a monthly billing cycle and the replay of a
   * failed run; the durable record of what happened lives in DynamoDB and S3, not in logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Extra environment variables. Prefer the `use*` helpers, which set a variable and its permission together.
   * @default - none beyond the defaults
   */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * A Lambda function with the project's defaults: Node.js 22 on arm64, active tracing, JSON logs in an
 * explicit log group, an ESM bundle (minified, source maps, AWS SDK bundled at the pinned version), and a
 * role that may only write its own logs until a `use*` helper grants more.
 */
export class ProjectFunction extends NodejsFunction {
  /** The function's own log group (retention set, no `logs:CreateLogGroup` needed). */
  public readonly logs: LogGroup;
  /** Its execution role, without AWS managed policies. */
  public readonly executionRole: Role;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const entry = join(REPO_ROOT, functionEntry(props.name));
    if (!existsSync(entry)) {
      throw new Error(`ProjectFunction ${id}: no handler at functions/${props.name}/handler.ts`);
    }
    // Built before the function (siblings in `scope`) so the role carries no AWSLambdaBasicExecutionRole.
    const logs = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    const executionRole = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.name} function`,
    });
    super(scope, id, {
      entry,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description ?? `deferred-billing ${props.name}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup: logs,
      role: executionRole,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        // The options the bench measures too (infra/bundling/esbuild-options.ts).
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        banner: LAMBDA_BUNDLING.banner,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourcemap,
        esbuildArgs: Object.fromEntries(
          Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        sourcesContent: false,
        // Pin the SDK version we test with instead of the one the runtime happens to ship.
        bundleAwsSDK: true,
        externalModules: [],
      },
    });
    this.logs = logs;
    this.executionRole = executionRole;
    logs.grantWrite(executionRole);

    Validations.of(executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permission. ' +
        'Every other statement is scoped to a resource (asserted in test/infra).',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the newest Node.js line the code is tested on (CI reruns the suite on Node 22); ' +
        'moving to nodejs24.x waits until the suite also runs on Node 24.',
    });
  }

  /**
   * Sets `TABLE_NAME` and grants exactly the listed item actions on the table; `Query` also on each named
   * index (never `index/*`).
   */
  useTable(dataTable: DataTable, access: TableAccess): this {
    const actions = typeof access === 'string' ? TABLE_ACCESS_ACTIONS[access] : access;
    if (actions.length === 0) throw new Error(`${this.node.path}: useTable needs at least one action`);
    const itemActions = actions.filter((action) => action !== 'Query');
    if (itemActions.length > 0) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: itemActions.map((action) => `dynamodb:${action}`),
          resources: [dataTable.table.tableArn],
        }),
      );
    }
    if (actions.includes('Query')) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [dataTable.table.tableArn, ...dataTable.indexArns],
        }),
      );
    }
    this.addEnvironment(ENV.tableName, dataTable.table.tableName);
    return this;
  }
}
