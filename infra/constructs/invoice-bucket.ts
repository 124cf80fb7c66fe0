import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
  StorageClass,
  TransitionDefaultMinimumObjectSize,
} from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

/** S3 Object Lock modes: COMPLIANCE (nobody, root included, can shorten or lift it) or GOVERNANCE. */
export type InvoiceLockMode = 'COMPLIANCE' | 'GOVERNANCE';

/**
 * Default retention of every invoice version: 11 years. The duty (Code de commerce L123-22) is 10 years
 * from the close of the financial year, while Object Lock counts from the upload: an invoice issued on the
 * first day of a 12-month financial year must stay 10 years after its close, so nearly 11 years.
 */
export const INVOICE_RETENTION = Duration.days(11 * 365 + 3);

export interface InvoiceBucketProps {
  /**
   * Object Lock mode of the default retention. COMPLIANCE: an issued invoice never changes and is never
   * deleted before its retention ends, whoever asks (invariant 4); its corrections are credit notes, new
   * objects. GOVERNANCE lets principals holding `s3:BypassGovernanceRetention` delete: for throw-away
   * development stacks only, whose buckets must be emptied one day.
   * @default 'COMPLIANCE'
   */
  readonly lockMode?: InvoiceLockMode;
  /**
   * Default retention of each object version.
   * @default INVOICE_RETENTION (11 years)
   */
  readonly retention?: Duration;
  /**
   * How long S3 server access logs (who read or wrote which invoice) are kept.
   * @default Duration.days(365)
   */
  readonly accessLogsExpiration?: Duration;
}

/**
 * Where issued invoices (PDF, later Factur-X and UBL) are stored: private, encrypted, TLS only,
 * versioned, with server access logs in a bucket of their own. Both buckets outlive the stack.
 *
 * Retention: S3 Object Lock with a default retention on every version (COMPLIANCE unless a development stack
 * asks otherwise), so a stored invoice can be neither overwritten in place nor deleted for the legal period.
 * Every write is conditional (`If-None-Match: *`, required by the bucket policy): a key is written once,
 * and download links name the version recorded when it was stored.
 * Nothing expires: after the retention, deleting is a deliberate operator act.
 *
 * Cost: versions older than a year move to Glacier Instant Retrieval (millisecond reads, for the buyer who
 * downloads an old invoice; about 80 % cheaper to store). S3 does not transition objects under 128 KB (the
 * default minimum since 2024): those stay in Standard, where a transition request would cost more than it
 * saves; large invoices, where storage adds up, do move.
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
      // Object Lock needs versioning; it keeps every version, so noncurrent versions are never expired.
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        (props.lockMode ?? 'COMPLIANCE') === 'COMPLIANCE'
          ? ObjectLockRetention.compliance(props.retention ?? INVOICE_RETENTION)
          : ObjectLockRetention.governance(props.retention ?? INVOICE_RETENTION),
      transitionDefaultMinimumObjectSize: TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      lifecycleRules: [
        {
          id: 'invoices-to-glacier-ir',
          transitions: [
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(365) },
          ],
          noncurrentVersionTransitions: [
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(365) },
          ],
          // Multipart uploads interrupted by a crash (lib-storage streams large PDFs in parts).
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'invoices/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Write-once documents (issue 12, item 5): whoever asks, an object is created only if its key is free.
    // Object Lock keeps old versions, but a plain PUT would still add a new current one under an issued
    // invoice's key; this refuses any PutObject or CompleteMultipartUpload without `If-None-Match`.
    // CreateMultipartUpload and UploadPart take no conditional header: `s3:ObjectCreationOperation` is false
    // for them, so they stay allowed (their completion is what is checked). CopyObject into the bucket is
    // refused too (never used).
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyWritesThatMayReplace',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: {
          Null: { 's3:if-none-match': 'true' },
          Bool: { 's3:ObjectCreationOperation': 'true' },
        },
      }),
    );
  }
}
