import { Duration, type Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { AUTHORIZER, type FunctionName, ROUTES, type Route } from '../lib/http/routes.js';
import { pascal } from './lambda-functions.js';
import type { StageflowSettings } from './settings.js';

/**
 * The HTTP API's parts besides the Api itself: its stage, the key authorizer, the routes of
 * ROUTES and the alarms. Each is created in the stateless stack's scope under the id it
 * always had, so logical ids (and deployed resources) stay the same.
 */

type Functions = Record<FunctionName, NodejsFunction>;

/** The API's `$default` stage, with access logs that never hold a raw path. */
export function createStage(scope: Stack, api: HttpApi, settings: StageflowSettings): HttpStage {
  const accessLogs = new LogGroup(scope, 'ApiAccessLogs', {
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  return api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: settings.throttle,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      // The route template, never the raw path: paths carry customer ids, which may be emails.
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          requestTime: '$context.requestTime',
          sourceIp: '$context.identity.sourceIp',
          routeKey: '$context.routeKey',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          responseLatency: '$context.responseLatency',
          integrationLatency: '$context.integrationLatency',
          integrationStatus: '$context.integrationStatus',
          integrationError: '$context.integrationErrorMessage',
          error: '$context.error.message',
        }),
      ),
    },
  });
}

/**
 * The Lambda authorizer (REQUEST, payload 2.0, simple responses), configured by AUTHORIZER: no
 * identity source, so every request reaches it and a missing key is a problem+json 401 too.
 */
export function keyAuthorizer(functions: Functions, settings: StageflowSettings): IHttpRouteAuthorizer {
  return new HttpLambdaAuthorizer('ApiKeyAuthorizer', functions[AUTHORIZER.function], {
    authorizerName: `stageflow-${settings.stage}-api-key`,
    identitySource: AUTHORIZER.identitySource ? [AUTHORIZER.identitySource] : [],
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    resultsCacheTtl: Duration.seconds(AUTHORIZER.cacheTtlSeconds),
  });
}

/** Every route of ROUTES, each integrated with its function (one integration per function). */
export function addRoutes(api: HttpApi, functions: Functions, authorizer: IHttpRouteAuthorizer): void {
  const integrations = new Map<FunctionName, HttpLambdaIntegration>();
  const integrationOf = (name: FunctionName) => {
    let integration = integrations.get(name);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${pascal(name)}Integration`, functions[name]);
      integrations.set(name, integration);
    }
    return integration;
  };
  for (const route of ROUTES) {
    const [created] = api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: integrationOf(route.fn),
      // Public routes say so explicitly, so a default authorizer added later cannot cover them.
      authorizer: route.public ? new HttpNoneAuthorizer() : authorizer,
    });
    if (route.public) acknowledgePublicRoute(created, route);
  }
}

/** The API's 5xx alarm and every function's errors and throttles alarms. */
export function createAlarms(
  scope: Stack,
  api: HttpApi,
  functions: Functions,
  settings: StageflowSettings,
  topic: ITopic,
): void {
  const action = new SnsAction(topic);
  const alarm = (id: string, what: string, metric: IMetric, threshold: number, description: string) => {
    const created = new Alarm(scope, id, {
      alarmName: `stageflow-${settings.stage}-${what}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(action);
    created.addOkAction(action);
  };
  const period = Duration.minutes(5);

  alarm(
    'Api5xxAlarm',
    'api-5xx',
    api.metricServerError({ period, statistic: 'Sum' }),
    5,
    'The HTTP API answered 5xx at least 5 times in 5 minutes',
  );
  for (const [name, fn] of Object.entries(functions)) {
    const id = pascal(name);
    alarm(
      `${id}ErrorsAlarm`,
      `${name}-errors`,
      fn.metricErrors({ period, statistic: 'Sum' }),
      1,
      `The ${name} function failed (crash or timeout); handled errors show as API 5xx`,
    );
    alarm(
      `${id}ThrottlesAlarm`,
      `${name}-throttles`,
      fn.metricThrottles({ period, statistic: 'Sum' }),
      1,
      `The ${name} function was throttled: account or reserved concurrency is exhausted`,
    );
  }
}

function acknowledgePublicRoute(route: HttpRoute, spec: Route): void {
  const why = spec.path.startsWith('/v1/unsubscribe/')
    ? 'the one-click unsubscribe (RFC 8058) needs no key; the HMAC token in the path is the credential.'
    : spec.path === '/health'
      ? 'the health check needs no key and reads one fixed item, the cheapest proof the table answers.'
      : 'it serves public, static content (the OpenAPI document) and reads nothing.';
  Validations.of(route).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason: `Public by design (marked public in ROUTES): ${why}`,
  });
}
