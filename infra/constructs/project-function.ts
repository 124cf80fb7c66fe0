import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { IndexDefinition } from '../../shared/adapters/dynamo/table.js';
import { ENV } from '../../shared/config/env.js';
import { functionEntry, LAMBDA_BUNDLING, REPO_ROOT } from '../bundling/esbuild-options.js';
import { FUNCTION_NAME_METADATA } from './asl.js';
import type { DataTable } from './data-table.js';

export { FUNCTION_NAME_METADATA };

/**
 * CloudWatch namespace of the business metrics (OrdersAccepted, InvoicesIssued…): one per stack, so each
 * stage's figures stay apart. Every function gets it as POWERTOOLS_METRICS_NAMESPACE.
 */
export function metricsNamespace(scope: Construct): string {
  return `DeferredBilling/${Stack.of(scope).stackName}`;
}

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
  /**
   * Files copied next to the bundle (`/var/task/<basename>` in Lambda), as paths relative to the repository
   * root: what the code reads at run time but cannot import, such as the fonts the PDF renderer embeds.
   * Copied with `cp` after esbuild, locally: no Docker, no network.
   * @default - none
   */
  readonly extraFiles?: readonly string[];
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
  /** Files copied next to the bundle (absolute paths). */
  public readonly extraFiles: readonly string[];

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const entry = join(REPO_ROOT, functionEntry(props.name));
    if (!existsSync(entry)) {
      throw new Error(`ProjectFunction ${id}: no handler at functions/${props.name}/handler.ts`);
    }
    const extraFiles = (props.extraFiles ?? []).map((file) => join(REPO_ROOT, file));
    for (const file of extraFiles) {
      if (!existsSync(file)) throw new Error(`ProjectFunction ${id}: extra file ${file} does not exist`);
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
      // Lambda's own START/END/REPORT records (about 700 bytes an invocation, most of an order's log bytes)
      // are dropped; its warnings (a timeout, an out-of-memory) still come, and durations are CloudWatch
      // metrics anyway (issue 12: the cost of an order).
      systemLogLevelV2: SystemLogLevel.WARN,
      logGroup: logs,
      role: executionRole,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        [ENV.metricsNamespace]: metricsNamespace(scope),
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
        ...(extraFiles.length === 0
          ? {}
          : {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) =>
                  extraFiles.map(
                    (file) => `cp ${shellQuote(file)} ${shellQuote(join(outputDir, basename(file)))}`,
                  ),
              },
            }),
      },
    });
    this.logs = logs;
    this.executionRole = executionRole;
    this.extraFiles = extraFiles;
    logs.grantWrite(executionRole);
    (this.node.defaultChild as CfnFunction).addMetadata(FUNCTION_NAME_METADATA, props.name);

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
   * Sets `TABLE_NAME` and grants exactly the listed item actions on the table; `Query` on the table and on
   * the indexes listed in `options.queryIndexes` (default: each index, by name; never `index/*`).
   */
  useTable(dataTable: DataTable, access: TableAccess, options: UseTableOptions = {}): this {
    const actions = typeof access === 'string' ? TABLE_ACCESS_ACTIONS[access] : access;
    if (actions.length === 0) throw new Error(`${this.node.path}: useTable needs at least one action`);
    const indexArns =
      options.queryIndexes === undefined
        ? dataTable.indexArns
        : options.queryIndexes.map((index) => dataTable.indexArn(index));
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
          resources: [dataTable.table.tableArn, ...indexArns],
        }),
      );
    }
    this.addEnvironment(ENV.tableName, dataTable.table.tableName);
    return this;
  }

  /**
   * Sets `TABLE_NAME` and grants `Query` on the named indexes only: not on the table, no other action. For a
   * function whose one job is to page through an index.
   */
  queryIndexes(dataTable: DataTable, indexes: readonly IndexDefinition[]): this {
    if (indexes.length === 0) throw new Error(`${this.node.path}: queryIndexes needs at least one index`);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((index) => dataTable.indexArn(index)),
      }),
    );
    this.addEnvironment(ENV.tableName, dataTable.table.tableName);
    return this;
  }
}

export interface UseTableOptions {
  /**
   * Indexes `Query` is granted on, besides the table itself.
   * @default - every index of the table
   */
  readonly queryIndexes?: readonly IndexDefinition[];
}

/** Quotes a path for the `bash -c` line the local bundler runs. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
