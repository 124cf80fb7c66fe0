import {
  Arn,
  ArnFormat,
  RemovalPolicy,
  Stack,
  type StackProps,
  Stage,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { Certificate, type ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The edge in front of the API and the portal (issue 12, item 7): the stack prop `edge`. */
export interface EdgeSettings {
  /** A WAF WebACL (CloudFront scope, so in us-east-1) on the distribution; on in prod. */
  readonly waf: boolean;
  /** A custom domain for the distribution (an alternate domain name); needs `certificateArn`. */
  readonly domainName?: string;
  /** The ACM certificate of `domainName`, in us-east-1 (CloudFront reads certificates only there). */
  readonly certificateArn?: string;
}

/** CloudFront reads WebACLs and certificates only in this region. */
export const CLOUDFRONT_REGION = 'us-east-1';

/**
 * Per-key limits enforced by the WAF (requests per minute per `Authorization` header value), by the key's
 * prefix: one rate-based rule each, aggregated on the header itself. A storefront's orders are the hot
 * path; an operator's back office and a buyer's ERP are slower. A key over its limit gets 429 for the rest
 * of the window, whatever the others do.
 */
export const KEY_RATE_LIMITS_PER_MINUTE = {
  storefront: { prefix: 'sk_', limit: 6000 },
  operator: { prefix: 'op_', limit: 1200 },
  buyerToken: { prefix: 'bt_', limit: 600 },
} as const;

/**
 * Per-IP limits (requests per minute per client IP) for calls without a key-shaped bearer credential (the
 * portal's pages and its cookie calls, the OpenAPI document, made-up keys) and, tighter, for the public
 * sign-in routes (each may email).
 * Calls with a key are limited per key above, so a storefront's servers behind one IP are not held to it.
 */
export const IP_RATE_LIMITS_PER_MINUTE = { withoutKey: 600, signIn: 30 } as const;

/** The WAF's evaluation window of the rate-based rules. */
const RATE_WINDOW_SECONDS = 60;

/** The body of WAF's 429: problem+json in spirit (WAF can only say application/json). */
const TOO_MANY_REQUESTS_BODY = JSON.stringify({
  type: 'https://deferred-billing.example/problems/too_many_requests',
  title: 'Too many requests',
  status: 429,
  code: 'too_many_requests',
  detail: `This key or client sent more than its limit in ${RATE_WINDOW_SECONDS} seconds: retry later.`,
});

/** The WebACL for CloudFront: managed rule groups, per-IP and per-key rate limits, and its logs. */
export class EdgeWebAcl extends Construct {
  public readonly webAcl: CfnWebACL;
  /** Where WAF logs every request it sees (the name must start with `aws-waf-logs-`). */
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const authorizationStartsWith = (text: string): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { singleHeader: { Name: 'authorization' } },
        positionalConstraint: 'STARTS_WITH',
        searchString: text,
        // `Bearer` is case-insensitive (RFC 9110), the key itself is not lowercased by the match.
        textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
      },
    });
    const tooMany = { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'tooMany' } } };
    const managed = (name: string, priority: number, overrides: string[] = []): CfnWebACL.RuleProperty => ({
      name: `AWS-${name}`,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(overrides.length > 0
            ? { ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(name),
    });
    const keyRules = Object.entries(KEY_RATE_LIMITS_PER_MINUTE).map(
      ([role, { prefix, limit }], index): CfnWebACL.RuleProperty => ({
        name: `RatePerKey-${role}`,
        priority: 20 + index,
        action: tooMany,
        statement: {
          rateBasedStatement: {
            limit,
            evaluationWindowSec: RATE_WINDOW_SECONDS,
            aggregateKeyType: 'CUSTOM_KEYS',
            customKeys: [
              { header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } },
            ],
            scopeDownStatement: authorizationStartsWith(`bearer ${prefix}`),
          },
        },
        visibilityConfig: visibility(`RatePerKey-${role}`),
      }),
    );

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Deferred billing edge: managed rules, per-IP and per-key rate limits',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('DeferredBillingEdge'),
      customResponseBodies: { tooMany: { contentType: 'APPLICATION_JSON', content: TOO_MANY_REQUESTS_BODY } },
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        // Order and e-invoice bodies may exceed the group's 8 KB body rule (the API takes 256 KB): counted.
        managed('AWSManagedRulesCommonRuleSet', 1, ['SizeRestrictions_BODY']),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          name: 'RatePerIp-signIn',
          priority: 10,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: IP_RATE_LIMITS_PER_MINUTE.signIn,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'STARTS_WITH',
                  searchString: '/v1/buyer/sign',
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('RatePerIp-signIn'),
        },
        {
          name: 'RatePerIp-withoutKey',
          priority: 11,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: IP_RATE_LIMITS_PER_MINUTE.withoutKey,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              aggregateKeyType: 'IP',
              // Anything but a key-shaped credential: a made-up `Bearer x_…` cannot escape both kinds of limit.
              scopeDownStatement: {
                notStatement: {
                  statement: {
                    orStatement: {
                      statements: Object.values(KEY_RATE_LIMITS_PER_MINUTE).map(({ prefix }) =>
                        authorizationStartsWith(`bearer ${prefix}`),
                      ),
                    },
                  },
                },
              },
            },
          },
          visibilityConfig: visibility('RatePerIp-withoutKey'),
        },
        ...keyRules,
      ],
    });

    // WAF's CloudWatch Logs destination: the group's name must start with aws-waf-logs-.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Stack.of(this).stackName}`,
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // The API key is a secret: never written to the logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
  }
}

/** The small us-east-1 stack holding the CloudFront WebACL when the product's stack lives elsewhere. */
export class EdgeWafStack extends Stack {
  public readonly webAcl: EdgeWebAcl;
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.webAcl = new EdgeWebAcl(this, 'Waf');
  }
}

/**
 * The edge of the product's stack: the WebACL's ARN (made in this stack when it is in us-east-1, else in a
 * second stack there, read back through CDK's cross-region references), the custom domain's certificate,
 * and, with the WAF on, the secret CloudFront sends to the API so the authorizer can refuse calls that went
 * around CloudFront (and so around the WAF) straight to execute-api.
 */
export class Edge extends Construct {
  /** The WebACL's ARN for the distribution, when `waf`. */
  public readonly webAclArn?: string;
  /** The us-east-1 stack of the WebACL, when this stack is in another region. */
  public readonly wafStack?: EdgeWafStack;
  /** The WebACL, wherever it lives. */
  public readonly webAcl?: EdgeWebAcl;
  /** The custom domain and its certificate, when set. */
  public readonly domain?: { readonly domainName: string; readonly certificate: ICertificate };
  /** The value CloudFront adds to API requests (`ORIGIN_VERIFY_HEADER`), when `waf`. */
  public readonly originSecret?: ISecret;

  constructor(scope: Construct, id: string, props: EdgeSettings) {
    super(scope, id);
    const stack = Stack.of(this);
    if ((props.domainName === undefined) !== (props.certificateArn === undefined)) {
      throw new Error('edge.domainName and edge.certificateArn go together: set both or neither');
    }
    if (props.domainName !== undefined && props.certificateArn !== undefined) {
      const region = Token.isUnresolved(props.certificateArn)
        ? CLOUDFRONT_REGION
        : Arn.split(props.certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region;
      if (region !== CLOUDFRONT_REGION) {
        throw new Error(
          `edge.certificateArn must be an ACM certificate in ${CLOUDFRONT_REGION} (CloudFront reads none elsewhere): ${props.certificateArn}`,
        );
      }
      this.domain = {
        domainName: props.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      };
    }
    if (!props.waf) return;

    if (stack.region === CLOUDFRONT_REGION) {
      this.webAcl = new EdgeWebAcl(this, 'Waf');
    } else {
      if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
        throw new Error(
          `edge.waf needs the stack's env (account and region): a CloudFront WebACL is made in ${CLOUDFRONT_REGION}, in a second stack`,
        );
      }
      this.wafStack = new EdgeWafStack(Stage.of(this) ?? stack, `${stack.stackName}-EdgeWaf`, {
        env: { account: stack.account, region: CLOUDFRONT_REGION },
        crossRegionReferences: true,
        description: `The CloudFront WebACL of ${stack.stackName} (CloudFront reads WebACLs only in us-east-1)`,
      });
      stack.addStackDependency(this.wafStack, 'the distribution uses its WebACL');
      this.webAcl = this.wafStack.webAcl;
    }
    this.webAclArn = this.webAcl.webAcl.attrArn;

    this.originSecret = new Secret(this, 'OriginSecret', {
      description: 'Sent by CloudFront to the API; the authorizer denies calls without it (around the WAF)',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The origin secret is a shared value between CloudFront and the authorizer, both set from it at deployment; a rotation would desynchronise them until the next deployment, and it guards no data of its own (every call still needs a valid key).',
    });
  }
}
