import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_REGION,
  type EdgeSettings,
  type EdgeWafStack,
  IP_RATE_LIMITS_PER_MINUTE,
  KEY_RATE_LIMITS_PER_MINUTE,
} from '../../infra/constructs/edge.js';
import { ROUTE_THROTTLES, THROTTLE_SIZES, throttleOf } from '../../infra/constructs/route-throttles.js';
import { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { ORIGIN_VERIFY_HEADER } from '../../shared/config/env.js';
import { ROUTES, routeKey } from '../../shared/contracts/http/routes/index.js';
import { logicalIdOf, newTestApp, onlyResource, SYNTH_TIMEOUT_MS } from './template.js';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0b6c7a1e-1111-2222-3333-444455556666';
const PROD_EDGE: EdgeSettings = {
  waf: true,
  domainName: 'billing.marketplace.example',
  certificateArn: CERTIFICATE,
};
const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

function edgeApp(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'billing-edge-'));
  outdirs.push(outdir);
  return newTestApp({ outdir });
}

/** A stack in `region` (`null`: no env, as the tests' default stack). */
function stackWith(edge: EdgeSettings | undefined, region: string | null = 'eu-west-3') {
  const app = edgeApp();
  const stack = new DeferredBillingStack(app, 'Test', {
    marketplaceTimeZone: 'Europe/Paris',
    ...(region ? { env: { account: '123456789012', region } } : {}),
    ...(edge ? { edge } : {}),
  });
  return { app, stack };
}

describe('without an edge (dev)', () => {
  let template: Template;
  let stack: DeferredBillingStack;
  beforeAll(() => {
    ({ stack } = stackWith(undefined, null));
    template = Template.fromStack(stack);
  }, SYNTH_TIMEOUT_MS);

  it('throttles each route for all its callers by the size in ROUTE_THROTTLES, the stage after its routes', () => {
    const { id, properties } = onlyResource(template, 'AWS::ApiGatewayV2::Stage');
    const settings = properties.RouteSettings as Record<string, Record<string, number>>;
    expect(Object.keys(settings).sort()).toEqual(ROUTES.map((route) => routeKey(route)).sort());
    for (const route of ROUTES) {
      const size = throttleOf(route.operationId);
      expect(settings[routeKey(route)]).toEqual({
        ThrottlingRateLimit: size.rateLimit,
        ThrottlingBurstLimit: size.burstLimit,
      });
    }
    // Order intake is the widest, the public sign-in the tightest; nothing is left at the old shared 100/s.
    expect(settings['POST /v1/orders']).toEqual({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 });
    expect(settings['POST /v1/buyer/sign-in']?.ThrottlingRateLimit).toBeLessThanOrEqual(5);
    const routeIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(template.toJSON().Resources[id].DependsOn).toEqual(expect.arrayContaining(routeIds));
    expect(new Set(Object.values(ROUTE_THROTTLES))).toEqual(new Set(Object.keys(THROTTLE_SIZES)));
  });

  it('has authorizers with simple responses, so a deny is a 403 that no function sees, keyed on the key alone', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 10,
    });
    const authorizer = stack.httpApi.authorizerFunction.node.defaultChild;
    const environment = template.toJSON().Resources[logicalIdOf(stack.httpApi.authorizerFunction)].Properties
      .Environment.Variables as Record<string, unknown>;
    expect(authorizer).toBeDefined();
    expect(environment).not.toHaveProperty('ORIGIN_VERIFY');
  });

  it('has no WAF, no custom domain and no origin secret', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const { properties } = onlyResource(template, 'AWS::CloudFront::Distribution');
    const config = properties.DistributionConfig as Record<string, unknown>;
    expect(config.WebACLId).toBeUndefined();
    expect(config.Aliases).toBeUndefined();
    expect(JSON.stringify(config)).not.toContain(ORIGIN_VERIFY_HEADER);
  });
});

describe('with the edge of prod (WAF, custom domain) and the stack in eu-west-3', () => {
  let app: App;
  let stack: DeferredBillingStack;
  let template: Template;
  let waf: Template;

  beforeAll(() => {
    ({ app, stack } = stackWith(PROD_EDGE));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    template = Template.fromStack(stack);
    const wafStack = stack.edge.wafStack as EdgeWafStack;
    expect(wafStack.region).toBe(CLOUDFRONT_REGION);
    waf = Template.fromStack(wafStack);
  }, SYNTH_TIMEOUT_MS);

  it('makes the WebACL in a us-east-1 stack (CloudFront scope), deployed first', () => {
    waf.resourceCountIs('AWS::WAFv2::WebACL', 1);
    waf.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(stack.dependencies).toContain(stack.edge.wafStack);
  });

  it('runs the AWS managed rule groups Common, KnownBadInputs and IpReputation', () => {
    const { properties } = onlyResource(waf, 'AWS::WAFv2::WebACL');
    const groups = (properties.Rules as { Statement: { ManagedRuleGroupStatement?: { Name: string } } }[])
      .map((rule) => rule.Statement.ManagedRuleGroupStatement?.Name)
      .filter(Boolean);
    expect(groups.sort()).toEqual(
      [
        'AWSManagedRulesAmazonIpReputationList',
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
      ].sort(),
    );
  });

  it('limits each key: a rate rule per key prefix aggregated on the Authorization header, answering 429', () => {
    for (const [role, { prefix, limit }] of Object.entries(KEY_RATE_LIMITS_PER_MINUTE)) {
      waf.hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: `RatePerKey-${role}`,
            Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'tooMany' } } },
            Statement: {
              RateBasedStatement: Match.objectLike({
                Limit: limit,
                EvaluationWindowSec: 60,
                AggregateKeyType: 'CUSTOM_KEYS',
                CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: Match.anyValue() } }],
                ScopeDownStatement: {
                  ByteMatchStatement: Match.objectLike({
                    FieldToMatch: { SingleHeader: { Name: 'authorization' } },
                    PositionalConstraint: 'STARTS_WITH',
                    SearchString: `bearer ${prefix}`,
                  }),
                },
              }),
            },
          }),
        ]),
      });
    }
  });

  it('limits each client IP without a key, and tighter on the public sign-in routes', () => {
    for (const [name, limit] of [
      ['RatePerIp-withoutKey', IP_RATE_LIMITS_PER_MINUTE.withoutKey],
      ['RatePerIp-signIn', IP_RATE_LIMITS_PER_MINUTE.signIn],
    ] as const) {
      waf.hasResourceProperties('AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: name,
            Statement: { RateBasedStatement: Match.objectLike({ Limit: limit, AggregateKeyType: 'IP' }) },
          }),
        ]),
      });
    }
    // A made-up credential (`Bearer x_…`) is not a key: it stays under the per-IP limit.
    const { properties } = onlyResource(waf, 'AWS::WAFv2::WebACL');
    const withoutKey = (properties.Rules as { Name: string; Statement: unknown }[]).find(
      (rule) => rule.Name === 'RatePerIp-withoutKey',
    );
    const prefixes = JSON.stringify(withoutKey?.Statement);
    for (const { prefix } of Object.values(KEY_RATE_LIMITS_PER_MINUTE))
      expect(prefixes).toContain(`bearer ${prefix}`);
    expect(prefixes).toContain('NotStatement');
  });

  it('logs the WAF to aws-waf-logs-*, the API key and cookies redacted', () => {
    waf.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'),
    });
    waf.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }]),
    });
  });

  it('puts the WebACL, the custom domain and its certificate on the distribution', () => {
    const { properties } = onlyResource(template, 'AWS::CloudFront::Distribution');
    const config = properties.DistributionConfig as Record<string, unknown>;
    expect(config.WebACLId).toBeDefined();
    expect(config.Aliases).toEqual([PROD_EDGE.domainName]);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(stack.portal.signInUrl).toBe(`https://${PROD_EDGE.domainName}/portal/sign-in`);
  });

  it('closes execute-api: CloudFront sends the origin secret, the authorizer requires it', () => {
    const { properties } = onlyResource(template, 'AWS::CloudFront::Distribution');
    const origins = (properties.DistributionConfig as { Origins: { OriginCustomHeaders?: unknown[] }[] })
      .Origins;
    const api = origins.find((origin) => origin.OriginCustomHeaders);
    const secretReference = {
      'Fn::Join': [
        '',
        [
          '{{resolve:secretsmanager:',
          { Ref: logicalIdOf(stack.edge.originSecret as never) },
          ':SecretString:::}}',
        ],
      ],
    };
    expect(api?.OriginCustomHeaders).toEqual([
      { HeaderName: ORIGIN_VERIFY_HEADER, HeaderValue: secretReference },
    ]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      IdentitySource: ['$request.header.Authorization', `$request.header.${ORIGIN_VERIFY_HEADER}`],
    });
    const variables = template.toJSON().Resources[logicalIdOf(stack.httpApi.authorizerFunction)].Properties
      .Environment.Variables as Record<string, unknown>;
    expect(variables.ORIGIN_VERIFY).toEqual(secretReference);
  });

  it('is cdk-nag clean in both stacks', () => {
    let error: string | undefined;
    try {
      app.synth();
    } catch (caught) {
      error = (caught as Error).message;
    }
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string }[] }[];
    };
    expect(error).toBeUndefined();
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });
});

describe('edge settings', () => {
  it('makes the WebACL in the stack itself when the stack is in us-east-1', () => {
    const { stack } = stackWith({ waf: true }, CLOUDFRONT_REGION);
    expect(stack.edge.wafStack).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACL', 1);
  });

  it('refuses a WAF on a stack without env, a domain without certificate, a certificate outside us-east-1', () => {
    expect(() => stackWith({ waf: true }, null)).toThrow(/edge.waf needs the stack's env/);
    expect(() => stackWith({ waf: false, domainName: 'billing.example' })).toThrow(
      'edge.domainName and edge.certificateArn go together',
    );
    expect(() =>
      stackWith({
        waf: false,
        domainName: 'billing.example',
        certificateArn: CERTIFICATE.replace(CLOUDFRONT_REGION, 'eu-west-3'),
      }),
    ).toThrow(/must be an ACM certificate in us-east-1/);
  });
});
