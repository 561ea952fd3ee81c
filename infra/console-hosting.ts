import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
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
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { CONSOLE_HEADERS, consoleCsp } from '../lib/http/console-headers.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CONSOLE_DIR = join(ROOT, 'web');

/** What the console reads from /console/config.json to offer Cognito sign-in (web/src/auth-config.ts). */
export interface ConsoleConfig {
  cognito: { domain: string; clientId: string; region: string };
}

export interface ConsoleHostingProps {
  stage: string;
  api: HttpApi;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`: the managed login, and the token endpoint. */
  cognitoBaseUrl: string;
}

/**
 * Viewer-request function of the console's behaviours: `/` and `/console` redirect to the
 * console, and a client route under /console/ (no file extension, not under assets/) is served
 * the app's index.html, as local/console.ts does. S3 (behind OAC, without ListBucket) would
 * answer those paths 403; an error-page rewrite would also swallow the API's own 403s and 404s.
 */
export const CONSOLE_ROUTER_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/console/' } } };
  }
  if (uri.indexOf('/console/') === 0 && uri.indexOf('/console/assets/') !== 0) {
    var last = uri.slice(uri.lastIndexOf('/') + 1);
    if (last.indexOf('.') === -1) request.uri = '/console/index.html';
  }
  return request;
}`;

/**
 * The deployed console: web/ built by Vite during `cdk synth`/`deploy`, in a private bucket
 * behind CloudFront with origin access control. The same distribution forwards `/v1/*` to the
 * HTTP API, so the console calls the API from its own origin (no CORS), and sends the security
 * headers local/console.ts sends. The app client's callback URL is `consoleUrl`.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Only the build of web/ lives here, rebuilt by every deploy: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the public build of web/ and is read only by CloudFront (OAC); ' +
        'there is no customer data whose reads would need an access log.',
    });

    // The token endpoint is fetched by the console; everything else stays same-origin.
    const csp = consoleCsp([props.cognitoBaseUrl]);
    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `Stageflow ${props.stage} console: the headers local/console.ts sends`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Cross-Origin-Opener-Policy',
            value: CONSOLE_HEADERS['cross-origin-opener-policy'],
            override: true,
          },
        ],
      },
    });

    const router = new EdgeFunction(this, 'Router', {
      comment: 'Console: redirect / to /console/, serve index.html for client routes',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(CONSOLE_ROUTER_CODE),
    });
    const files = S3BucketOrigin.withOriginAccessControl(this.bucket);
    const consoleBehavior = {
      origin: files,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: this.headers,
      functionAssociations: [{ function: router, eventType: FunctionEventType.VIEWER_REQUEST }],
      compress: true,
    };
    const apiDomain = `${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Stageflow ${props.stage}: console and API`,
      defaultBehavior: consoleBehavior,
      additionalBehaviors: {
        'console/*': consoleBehavior,
        // The API, uncached: every method, every viewer header (Authorization, If-Match) but
        // Host, which API Gateway needs to be its own domain.
        'v1/*': {
          origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Marketers sign in from wherever they work; access is decided by Cognito or an API key, not by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL by default (a fixed monthly cost per deployment): the API behind it has ' +
          'stage throttling, per-key rate limits and an authorizer on every non-public route.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'API requests are logged by the HTTP API stage access log (route, status, no raw path); ' +
          'the console files are the public build of web/. CloudFront standard logs would need a ' +
          'bucket with ACLs enabled.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS " +
          'policy cannot be set; a custom domain with an ACM certificate sets TLSv1.2_2021.',
      },
    );
    this.consoleUrl = `https://${this.distribution.distributionDomainName}/console/`;
  }

  /**
   * Uploads the console: hashed assets first (cached for a year), then index.html and
   * config.json (revalidated every time), so a new page never names an asset not there yet.
   * The distribution is invalidated once both are in place.
   */
  deploy(config: ConsoleConfig): void {
    const build = consoleBuild();
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [build],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/',
      exclude: ['index.html', 'config.json'],
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      memoryLimit: 512,
    });
    const pages = new BucketDeployment(this, 'DeployPages', {
      sources: [build, Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/',
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/console/*', '/'],
      memoryLimit: 512,
    });
    pages.node.addDependency(assets);
    acknowledgeDeploymentHandler(pages, this.bucket);
  }
}

/**
 * BucketDeployment's own handler (a singleton per memory size, at the stack's root): what CDK
 * writes for it, reviewed here.
 */
function acknowledgeDeploymentHandler(deployment: BucketDeployment, bucket: Bucket): void {
  const stack = Stack.of(deployment);
  const bucketId = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('BucketDeployment created no handler: review the cdk-nag acknowledgements');
  const bucketAccess =
    'BucketDeployment copies the console build from the CDK assets bucket into the console bucket';
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketDeployment handler writes its own logs with the basic execution role; it runs only during deploys.",
    },
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${bucketAccess} (sync with prune): CDK grants read/write with these wildcards on those two buckets only.`,
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason: `${bucketAccess}: the asset objects are named by hash at deploy time.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason: `${bucketAccess}: it writes and prunes every object under console/.`,
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudfront:CreateInvalidation and GetInvalidation support no resource-level permissions; CDK grants them to invalidate the console after an upload.',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib (its bundled AWS CLI layer), not by Stageflow.",
    },
  );
}

/**
 * web/ as an asset built by Vite on this machine (`npm run console:build`, into CDK's asset
 * output): the hash is the build's, so `cdk deploy` uploads only when the console changed. A
 * synth that skips bundling (`-c aws:cdk:bundling-stacks=[]`, the template tests) skips the build.
 */
function consoleBuild(): ISource {
  return Source.asset(CONSOLE_DIR, {
    exclude: ['node_modules', 'dist'],
    bundling: {
      // Never used: the local build below always answers (Vite is a dev dependency).
      image: DockerImage.fromRegistry('node:20'),
      local: {
        tryBundle(outputDir: string) {
          const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
          const out = spawnSync(
            process.execPath,
            [vite, 'build', '--outDir', outputDir, '--emptyOutDir', '--logLevel', 'warn'],
            { cwd: CONSOLE_DIR, encoding: 'utf8' },
          );
          if (out.status !== 0) throw new Error(`the console build failed:\n${out.stdout}\n${out.stderr}`);
          return true;
        },
      },
    },
  });
}
