import type { APIGatewayProxyResultV2 } from 'aws-lambda';

/** GET /health: no key, no I/O; says the API answers. */
export const handler = async (): Promise<APIGatewayProxyResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ status: 'ok', service: 'stageflow' }),
});
