/**
 * Issue 11, "How it is built": the buyer portal on AWS. Its files in a private bucket that CloudFront alone
 * reads (origin access control), the API as the second origin on `/v1/*` (never cached, cookie and headers
 * forwarded), the security headers on every answer, page paths served by the shell, and the sign-in email's
 * link leading to the portal's origin (where the session cookie is set).
 */
import { runInNewContext } from 'node:vm';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureBillingApp } from '../../infra/billing-app.js';
import { portalRewriteCode } from '../../infra/constructs/portal.js';
import type { DeferredBillingStack } from '../../infra/stacks/billing-stack.js';
import { PORTAL_CONTENT_SECURITY_POLICY, portalFileOf } from '../../shared/contracts/http/portal.js';
import { logicalIdOf, newTestApp, SYNTH_TIMEOUT_MS } from './template.js';

let stack: DeferredBillingStack;
let template: Template;

beforeAll(() => {
  stack = configureBillingApp(newTestApp());
  template = Template.fromStack(stack);
}, SYNTH_TIMEOUT_MS);

/** The distribution's config as synthesized. */
function distributionConfig() {
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return distribution?.Properties.DistributionConfig as {
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors: Array<Record<string, unknown>>;
    Origins: Array<Record<string, unknown>>;
  };
}

describe('the buyer portal on AWS', () => {
  it('serves the files from a private bucket through origin access control, HTTPS only', () => {
    const config = distributionConfig();
    const bucketId = logicalIdOf(stack.portal.bucket);
    const s3Origin = config.Origins.find((origin) => 'S3OriginConfig' in origin);
    expect(s3Origin?.OriginAccessControlId).toBeDefined();
    expect(config.DefaultCacheBehavior).toMatchObject({
      TargetOriginId: s3Origin?.Id,
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'portal-bucket/' }),
    });
    // Only CloudFront, and only this distribution, may read the files.
    const policies = template.findResources('AWS::S3::BucketPolicy', {
      Properties: { Bucket: { Ref: bucketId } },
    });
    const statements = Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
  });

  it('puts the API on /v1/* of the same origin: never cached, every method, cookie and headers forwarded', () => {
    const config = distributionConfig();
    const api = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/v1/*');
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'DELETE', 'PATCH', 'PUT', 'OPTIONS']),
      // The managed CachingDisabled and AllViewerExceptHostHeader policies.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const origin = config.Origins.find((candidate) => candidate.Id === api?.TargetOriginId);
    expect(origin?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(JSON.stringify(origin?.DomainName)).toContain(logicalIdOf(stack.httpApi.api));
  });

  it('answers with the security headers: a CSP without unsafe-inline, no framing, HSTS, nosniff, no referrer', () => {
    expect(PORTAL_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval/);
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: PORTAL_CONTENT_SECURITY_POLICY, Override: true },
          StrictTransportSecurity: Match.objectLike({ IncludeSubdomains: true, Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      }),
    });
    const config = distributionConfig();
    const policyIds = [config.DefaultCacheBehavior, ...config.CacheBehaviors].map(
      (behavior) => behavior.ResponseHeadersPolicyId,
    );
    expect(policyIds.every((id) => id !== undefined)).toBe(true);
    expect(new Set(policyIds.map((id) => JSON.stringify(id))).size).toBe(1);
  });

  it("maps page paths to the shell exactly as the local server does, and leaves the files' paths alone", () => {
    const handler = runInNewContext(`${portalRewriteCode()}; handler`) as (event: {
      request: { uri: string };
    }) => { uri?: string; statusCode?: number; headers?: { location: { value: string } } };
    for (const uri of ['/portal', '/portal/', '/portal/sign-in', '/portal/statement', '/portal/order']) {
      expect(handler({ request: { uri } }).uri, uri).toBe('/portal/index.html');
      expect(portalFileOf(uri), uri).toBe('index.html');
    }
    for (const uri of ['/portal/app.js', '/portal/pages/overview.js', '/portal/portal.css'])
      expect(handler({ request: { uri } }).uri).toBe(uri);
    expect(handler({ request: { uri: '/' } })).toMatchObject({
      statusCode: 302,
      headers: { location: { value: '/portal/' } },
    });
  });

  it("sends the sign-in email's link to the portal's origin, where the session cookie lives", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('buyers'),
      Environment: {
        Variables: Match.objectLike({
          BUYER_PORTAL_URL: {
            'Fn::Join': [
              '',
              [
                'https://',
                { 'Fn::GetAtt': [logicalIdOf(stack.portal.distribution), 'DomainName'] },
                '/portal/sign-in',
              ],
            ],
          },
        }),
      },
    });
  });
});
