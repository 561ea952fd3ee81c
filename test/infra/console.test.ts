import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type StageflowApp } from '../../infra/build-app.js';
import { CONSOLE_ROUTER_CODE } from '../../infra/console-hosting.js';
import { CONSOLE_HEADERS } from '../../lib/http/console-headers.js';

/**
 * The deployed console and its sign-in, asserted on the synthesized templates: the private
 * bucket behind CloudFront with OAC, the behaviours (console files, /v1/* to the API), the
 * security headers, the Cognito pool, groups and PKCE client, and what the upload writes.
 */

const ROOT = resolve(import.meta.dirname, '../..');
// biome-ignore lint/suspicious/noExplicitAny: template JSON, read by path in assertions
type Json = Record<string, any>;

/** CloudFront's managed policies, by their fixed ids (CachingDisabled, AllViewerExceptHostHeader, CachingOptimized). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

let built: StageflowApp;
let stateful: Template;
let stateless: Template;

beforeAll(() => {
  const context = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')).context;
  // No esbuild and no Vite: these assertions read the templates, not the code.
  built = buildApp({ ...context, 'aws:cdk:bundling-stacks': [] }, { cloudFormationValidation: false });
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
});

const only = (template: Template, type: string): Json => {
  const found = Object.values(template.findResources(type));
  expect(found, type).toHaveLength(1);
  return found[0] as Json;
};
const distributionConfig = () =>
  only(stateless, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
const behaviour = (pattern: string) =>
  (distributionConfig().CacheBehaviors as Json[]).find((b) => b.PathPattern === pattern) as Json;
const originOf = (b: Json) =>
  (distributionConfig().Origins as Json[]).find((o) => o.Id === b.TargetOriginId) as Json;

describe('console hosting', () => {
  it('keeps the bucket private: public access blocked, TLS enforced, encrypted', () => {
    const bucket = only(stateless, 'AWS::S3::Bucket');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toBeDefined();
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    const policy = only(stateless, 'AWS::S3::BucketPolicy').Properties.PolicyDocument.Statement as Json[];
    expect(policy).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Principal: { AWS: '*' },
      }),
    );
    // Reads only by CloudFront for this distribution (OAC); besides, only CDK's auto-delete
    // role (it empties the bucket when the stack goes). Never a public principal.
    const allows = policy.filter((s) => s.Effect === 'Allow');
    const reads = allows.filter((s) => s.Principal.Service === 'cloudfront.amazonaws.com');
    expect(reads).toHaveLength(1);
    expect(reads[0].Action).toBe('s3:GetObject');
    expect(reads[0].Condition.StringEquals['AWS:SourceArn']).toBeDefined();
    for (const other of allows.filter((s) => s !== reads[0])) {
      expect(other.Principal.AWS['Fn::GetAtt'][0]).toMatch(
        /^CustomS3AutoDeleteObjectsCustomResourceProviderRole/,
      );
    }
  });

  it('reads the bucket through origin access control (no OAI, no website endpoint)', () => {
    const oac = only(stateless, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    stateless.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const console = originOf(behaviour('console/*'));
    expect(console.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(console.OriginAccessControlId).toBeDefined();
  });

  it('serves the console files cached, with the router for client routes and the headers', () => {
    const config = distributionConfig();
    for (const b of [config.DefaultCacheBehavior, behaviour('console/*')]) {
      expect(b).toMatchObject({
        CachePolicyId: CACHING_OPTIMIZED,
        ViewerProtocolPolicy: 'redirect-to-https',
      });
      expect(b.FunctionAssociations).toEqual([
        { EventType: 'viewer-request', FunctionARN: expect.anything() },
      ]);
      expect(b.ResponseHeadersPolicyId).toBeDefined();
      expect(b.TargetOriginId).toBe(config.DefaultCacheBehavior.TargetOriginId);
    }
  });

  it('forwards /v1/* to the HTTP API: uncached, every method, every viewer header but Host', () => {
    const api = behaviour('v1/*');
    expect(api).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST,
      ViewerProtocolPolicy: 'https-only',
    });
    const origin = originOf(api);
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    const apiLogicalId = built.stateless.getLogicalId(built.stateless.api.node.defaultChild as never);
    expect(JSON.stringify(origin.DomainName)).toContain(apiLogicalId);
    expect(JSON.stringify(origin.DomainName)).toContain('execute-api');
  });

  it('sends the local security headers: CSP without inline script, HSTS, nosniff, no framing, no referrer', () => {
    const config = only(stateless, 'AWS::CloudFront::ResponseHeadersPolicy').Properties
      .ResponseHeadersPolicyConfig;
    const security = config.SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    for (const directive of [
      "script-src 'self';",
      "frame-ancestors 'none'",
      "default-src 'self'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    // The token exchange goes to the Cognito domain; nothing else leaves the origin.
    expect(csp).toContain("connect-src 'self' https://");
    expect(csp).toContain('.amazoncognito.com');
    expect(security).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: CONSOLE_HEADERS['referrer-policy'], Override: true },
    });
    expect(config.CustomHeadersConfig.Items).toContainEqual({
      Header: 'Cross-Origin-Opener-Policy',
      Value: CONSOLE_HEADERS['cross-origin-opener-policy'],
      Override: true,
    });
  });

  it('routes like the local server: / redirects, client routes get index.html, files stay files', () => {
    const fn = only(stateless, 'AWS::CloudFront::Function').Properties;
    expect(fn.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.FunctionCode).toBe(CONSOLE_ROUTER_CODE);
    const handler = new Function(`${CONSOLE_ROUTER_CODE}; return handler;`)() as (e: Json) => Json;
    const run = (uri: string) => handler({ request: { uri, headers: {} } });
    expect(run('/')).toMatchObject({ statusCode: 302, headers: { location: { value: '/console/' } } });
    expect(run('/console')).toMatchObject({ statusCode: 302 });
    expect(run('/console/').uri).toBe('/console/index.html');
    expect(run('/console/campaigns/welcome').uri).toBe('/console/index.html');
    expect(run('/console/config.json').uri).toBe('/console/config.json');
    expect(run('/console/assets/index-abc123.js').uri).toBe('/console/assets/index-abc123.js');
    expect(run('/console/assets/missing').uri).toBe('/console/assets/missing');
  });

  it('uploads assets immutable, then index.html and config.json revalidated, and invalidates', () => {
    const deployments = Object.values(stateless.findResources('Custom::CDKBucketDeployment')) as Json[];
    expect(deployments).toHaveLength(2);
    const pages = deployments.find((d) => d.Properties.Include) as Json;
    const assets = deployments.find((d) => !d.Properties.Include) as Json;
    expect(assets.Properties).toMatchObject({
      DestinationBucketKeyPrefix: 'console/',
      Exclude: ['index.html', 'config.json'],
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(pages.Properties).toMatchObject({
      DestinationBucketKeyPrefix: 'console/',
      Include: ['index.html', 'config.json'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/console/*', '/'],
    });
    expect(pages.Properties.DistributionId).toEqual({ Ref: expect.stringMatching(/^ConsoleDistribution/) });
    const assetsId = Object.entries(stateless.findResources('Custom::CDKBucketDeployment')).find(
      ([, d]) => !(d as Json).Properties.Include,
    )?.[0];
    expect(pages.DependsOn).toEqual(expect.arrayContaining([assetsId]));
    // config.json names the managed login domain, the app client and the region (deploy-time values).
    const markers = JSON.stringify(pages.Properties.SourceMarkers);
    expect(markers).toContain('ConsoleUsersUserPoolDomain');
    expect(markers).toContain('ConsoleSignInConsoleClient');
    const config = findStagedFile(built.app.outdir, 'config.json');
    const parsed = JSON.parse(config.replace(/<<marker:0xbaba:\d+>>/g, 'x'));
    expect(Object.keys(parsed.cognito).sort()).toEqual(['clientId', 'domain', 'region']);
  });

  it('outputs the console URL on the distribution', () => {
    const url = JSON.stringify(stateless.findOutputs('ConsoleUrl').ConsoleUrl.Value);
    expect(url).toContain('ConsoleDistribution');
    expect(url).toContain('/console/');
  });
});

describe('console sign-in (Cognito)', () => {
  it('has a user pool nobody can sign up to, with MFA and a strong password policy', () => {
    const pool = only(stateful, 'AWS::Cognito::UserPool').Properties;
    expect(pool.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(pool.MfaConfiguration).toBe('ON');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    // The username is the email: no username attributes or aliases that would make it a uuid.
    expect(pool.UsernameAttributes).toBeUndefined();
    expect(pool.AliasAttributes).toBeUndefined();
    expect(stateful.findOutputs('UserPoolId').UserPoolId).toBeDefined();
  });

  it('has the marketers and viewers groups', () => {
    const groups = Object.values(stateful.findResources('AWS::Cognito::UserPoolGroup')) as Json[];
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual(['marketers', 'viewers']);
  });

  it('signs in with the newer managed login, branded for the console client', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      ManagedLoginVersion: 2,
      Domain: Match.anyValue(),
    });
    stateless.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      ClientId: { Ref: Match.stringLikeRegexp('^ConsoleSignInConsoleClient') },
      UseCognitoProvidedValues: true,
    });
  });

  it('has a public app client: authorization code (PKCE), no secret, callbacks on the console', () => {
    const client = only(stateless, 'AWS::Cognito::UserPoolClient').Properties;
    expect(client).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email']));
    for (const urls of [client.CallbackURLs, client.LogoutURLs]) {
      expect(urls).toHaveLength(1);
      expect(JSON.stringify(urls[0])).toContain('ConsoleDistribution');
      expect(JSON.stringify(urls[0])).toContain('/console/');
    }
    // Only the hosted flow: no password or SRP sign-in straight against the client.
    expect(client.ExplicitAuthFlows ?? ['ALLOW_REFRESH_TOKEN_AUTH']).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('tells the authorizer which pool and client to trust', () => {
    const authorize = built.stateless.getLogicalId(
      built.stateless.functions.authorize.node.defaultChild as never,
    );
    const env = (stateless.toJSON().Resources[authorize] as Json).Properties.Environment.Variables;
    expect(JSON.stringify(env.STAGEFLOW_USER_POOL_ID)).toContain('ConsoleUsersUserPool');
    expect(env.STAGEFLOW_USER_POOL_CLIENT_ID).toEqual({
      Ref: expect.stringMatching(/^ConsoleSignInConsoleClient/),
    });
  });
});

/** A file CDK staged into an asset directory of the cloud assembly. */
function findStagedFile(outdir: string, name: string): string {
  for (const entry of readdirSync(outdir)) {
    const path = join(outdir, entry, name);
    if (entry.startsWith('asset.') && existsSync(path)) return readFileSync(path, 'utf8');
  }
  throw new Error(`no staged ${name} in ${outdir}`);
}
