import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

export interface InvoiceBucketProps {
  /**
   * How long S3 server access logs (who read or wrote which invoice) are kept.
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;
}

/**
 * Where issued invoices (PDF, later Factur-X and UBL) are stored: private, encrypted, TLS only,
 * versioned, with server access logs in a bucket of their own. Both buckets outlive the stack.
 */
export class InvoiceBucket extends Construct {
  /** The invoice bucket. */
  public readonly bucket: Bucket;
  /** Target of the invoice bucket's S3 server access logs. */
  public readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: InvoiceBucketProps = {}) {
    super(scope, id);
    // Log delivery through a bucket policy (not the legacy LogDeliveryWrite ACL), whatever the app's flags.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to a bucket encrypted with SSE-S3.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: props.accessLogsExpiration ?? Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Invoices', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'invoices/',
      // Invoices are legal records (no edits, no deletions, kept 10 years). A later issue adds S3 Object Lock
      // (compliance mode) and a lifecycle rule moving objects to colder storage and expiring them after
      // 10 years; until then versioning keeps every overwritten or deleted object.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
