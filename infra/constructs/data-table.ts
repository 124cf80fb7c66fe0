import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { INDEXES, type IndexDefinition, TABLE_KEYS } from '../../shared/adapters/dynamo/table.js';

/**
 * The single DynamoDB table: keys, TTL attribute and secondary indexes come from `shared/adapters/dynamo/table.ts`,
 * the module the repositories and the local stack also use. On-demand, point-in-time recovery, encrypted
 * with the AWS managed key, deletion-protected and retained.
 */
export class DataTable extends Construct {
  /** The table (synthesizes `AWS::DynamoDB::GlobalTable`, single region for now). */
  public readonly table: TableV2;
  /** ARN of each secondary index, named: what a `Query` grant needs, without an `index/*` wildcard. */
  public readonly indexArns: readonly string[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const indexes = Object.values(INDEXES);

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS managed key: encrypted at rest, key use visible in CloudTrail, no key policy to maintain.
      encryption: TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      // NEW_IMAGE, chosen before the first deploy (changing it means a new stream, and new mappings): every
      // consumer reads inserted items only (ledger entries → EventBridge, credit notes → delivery), never
      // what an item was before, so old images would double each record for nothing (docs/ARCHITECTURE.md).
      dynamoStream: StreamViewType.NEW_IMAGE,
      globalSecondaryIndexes: indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // Keys only, or the few attributes its readers take from the page (table.ts says why, per index).
        ...(index.include.length === 0
          ? { projectionType: ProjectionType.KEYS_ONLY }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] }),
      })),
      // Billing records (orders, exposure, invoice numbering) outlive any stack operation.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.indexArns = indexes.map((index) => this.indexArn(index));
  }

  /** ARN of one secondary index, for a `Query` grant on that index alone. */
  indexArn(index: IndexDefinition): string {
    if (!Object.values(INDEXES).some((known) => known.name === index.name)) {
      throw new Error(`DataTable: no index named ${index.name}`);
    }
    return `${this.table.tableArn}/index/${index.name}`;
  }
}
