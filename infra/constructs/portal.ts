import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from '../../shared/config/env.js';
import {
  PORTAL_CONTENT_SECURITY_POLICY,
  PORTAL_HSTS_SECONDS,
  PORTAL_PAGES,
  PORTAL_PATH,
} from '../../shared/contracts/http/portal.js';
import type { BillingHttpApi } from './http-api.js';
import { acknowledgeWildcardResource } from './nag.js';

/** The portal's static files (browser code: plain HTML, CSS and one ES module per page). */
export const PORTAL_SOURCE_DIR = fileURLToPath(new URL('../../portal/', import.meta.url));

export interface BuyerPortalProps {
  /** The API, the distribution's second origin on `/v1/*` (same origin: the session cookie, no CORS). */
  readonly httpApi: BillingHttpApi;
  /** Where the portal bucket's S3 server access logs go (prefix `portal-bucket/`). */
  readonly accessLogsBucket: IBucket;
  /**
   * Item 7: the WAF WebACL (CloudFront scope) in front of the portal and the API.
   * @default - no WAF
   */
  readonly webAclArn?: string;
  /**
   * Item 7: a custom domain (alternate domain name) and its us-east-1 certificate.
   * @default - the distribution's *.cloudfront.net name
   */
  readonly domain?: { readonly domainName: string; readonly certificate: ICertificate };
  /**
   * Item 7: a secret CloudFront adds to every API request as `ORIGIN_VERIFY_HEADER`, which the authorizer
   * requires (so a call straight to execute-api, around the WAF, is denied).
   * @default - no header
   */
  readonly originSecret?: ISecret;
}

/**
 * The CloudFront Function (viewer request) that maps the portal's page paths to its shell, as the local
 * adapter does (`portalFileOf`): `/portal/`, `/portal/orders`… → `/portal/index.html`; `/` → `/portal/`.
 */
export function portalRewriteCode(): string {
  const pages = Object.fromEntries(PORTAL_PAGES.map((page) => [`${PORTAL_PATH}/${page}`, true]));
  return [
    `var PAGES = ${JSON.stringify({ ...pages, [PORTAL_PATH]: true, [`${PORTAL_PATH}/`]: true })};`,
    'function handler(event) {',
    '  var request = event.request;',
    "  if (request.uri === '/') {",
    `    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${PORTAL_PATH}/' } } };`,
    '  }',
    `  if (PAGES[request.uri]) request.uri = '${PORTAL_PATH}/index.html';`,
    '  return request;',
    '}',
  ].join('\n');
}

/**
 * The buyer portal on AWS: its files in a private S3 bucket (origin access control: CloudFront only), and
 * the HTTP API as a second origin on `/v1/*`, so the portal calls the API on its own origin (the session
 * cookie is first-party, no CORS). Every portal response carries the security headers of
 * `PORTAL_SECURITY_HEADERS` (one response headers policy). API answers are never cached; the cookie, the
 * query and the headers (`X-CSRF-Token`) reach the API.
 *
 * Why a static front end rather than pages rendered by a Lambda: the pages are the same for every buyer
 * (the data comes from the buyer API the ERP uses too), so they cost nothing per view, and the portal
 * cannot show anything the API does not already check (invariant 8 stays in one place).
 */
export class BuyerPortal extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;
  /** Copies `portal/` into the bucket at each deployment, then invalidates `/portal/*`. */
  public readonly deployment: BucketDeployment;
  /** `https://<distribution>/portal/sign-in`: where the sign-in email's link leads. */
  public readonly signInUrl: string;
  /** `https://<distribution>/portal/` */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: BuyerPortalProps) {
    super(scope, id);
    // Access logs delivered through the logs bucket's policy (it has no ACLs), as for the invoice bucket.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'portal-bucket/',
      // Only the repository's files, redeployed at every deployment: nothing to keep, but S3 refuses to
      // delete a bucket that is not empty, and emptying it would take one more custom resource.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Buyer portal: CSP without unsafe-inline, no framing, HSTS, nosniff, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: PORTAL_CONTENT_SECURITY_POLICY, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(PORTAL_HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const rewrite = new EdgeFunction(this, 'PageRewrite', {
      code: FunctionCode.fromInline(portalRewriteCode()),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Buyer portal: page paths to the shell index.html',
    });

    const stack = Stack.of(this);
    const apiDomain = `${props.httpApi.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Buyer portal and the buyer API on one origin',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      ...(props.domain
        ? {
            domainNames: [props.domain.domainName],
            certificate: props.domain.certificate,
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new HttpOrigin(apiDomain, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
            ...(props.originSecret
              ? {
                  customHeaders: {
                    [ORIGIN_VERIFY_HEADER]: props.originSecret.secretValue.unsafeUnwrap(),
                  },
                }
              : {}),
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    this.url = `https://${props.domain?.domainName ?? this.distribution.distributionDomainName}${PORTAL_PATH}/`;
    this.signInUrl = `${this.url}sign-in`;

    this.deployment = new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(PORTAL_SOURCE_DIR)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${PORTAL_PATH.slice(1)}/`,
      // Pages change together: the shell, its script and the page modules are replaced as one.
      distribution: this.distribution,
      distributionPaths: [`${PORTAL_PATH}/*`],
      prune: true,
    });
    this.acknowledgeDeploymentHandler();

    const acknowledge = (ruleId: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id: ruleId, reason });
    acknowledge(
      'AwsSolutions-CFR1',
      'Buyers sign in from wherever their company buys; the API checks every call (invariant 8), so no country is refused.',
    );
    if (!props.webAclArn) {
      acknowledge(
        'AwsSolutions-CFR2',
        'No WAF (edge.waf off, outside prod): the portal is static files, and the API behind /v1/* has its own per-route throttling, sign-in limits per email and client, and an authorizer on every buyer route.',
      );
    }
    acknowledge(
      'AwsSolutions-CFR3',
      'The portal bucket has S3 server access logs and the API has its access logs; CloudFront standard logs would need an ACL-enabled bucket, which the account policy refuses.',
    );
    if (!props.domain) {
      acknowledge(
        'AwsSolutions-CFR4',
        'The default *.cloudfront.net certificate (no custom domain yet), whose minimum protocol CloudFront does not let us raise; the API origin is reached over TLS 1.2.',
      );
    }
  }

  /**
   * CDK's BucketDeployment handler (a custom resource that runs at deployment only, one per stack): its
   * role and runtime are CDK's. Each finding is acknowledged on that role or function alone.
   */
  private acknowledgeDeploymentHandler(): void {
    const role = this.deployment.handlerRole;
    const onRole = (id: string, reason: string) => Validations.of(role).acknowledge({ id, reason });
    onRole(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's BucketDeployment handler logs with the AWS managed basic execution policy; it runs at deployment only, never on a request.",
    );
    const copies =
      "CDK's BucketDeployment grant: reads the portal's zipped files from the CDK bootstrap assets bucket, then writes and prunes them in the portal bucket (its own, nothing else).";
    for (const action of ['GetObject', 'GetBucket', 'List', 'DeleteObject', 'Abort'])
      onRole(`AwsSolutions-IAM5[Action::s3:${action}*]`, copies);
    // The bootstrap bucket's ARN as cdk-nag renders it: literal parts once a stage fixes account and region.
    const stack = Stack.of(this);
    const part = (value: string, token: string) => (Token.isUnresolved(value) ? token : value);
    const assets = `arn:${part(stack.partition, '<AWS::Partition>')}:s3:::cdk-hnb659fds-assets-${part(stack.account, '<AWS::AccountId>')}-${part(stack.region, '<AWS::Region>')}/*`;
    onRole(`AwsSolutions-IAM5[Resource::${assets}]`, copies);
    acknowledgeWildcardResource(role, `${this.bucket.bucketArn}/*`, copies);
    onRole(
      'AwsSolutions-IAM5[Resource::*]',
      "cloudfront:CreateInvalidation and GetInvalidation, which CDK's BucketDeployment grants on * to invalidate /portal/* after each copy.",
    );
    const handler = Stack.of(this)
      .node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))
      .filter((child): child is Construct => child instanceof Construct);
    for (const fn of handler)
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "CDK's BucketDeployment handler: its runtime is chosen and updated by aws-cdk-lib, not by us.",
      });
  }
}
