import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { openApiDocument, openApiJson } from '../../api/openapi.js';
import { handler } from '../../functions/openapi.js';
import { ROUTES } from '../../lib/http/routes.js';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
const doc = openApiDocument(version) as any;

/** Every `$ref` in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('is what docs/openapi.json holds (run `npm run openapi` when this fails)', () => {
    expect(readFileSync('docs/openapi.json', 'utf8')).toBe(openApiJson(version));
  });

  it('documents every route in ROUTES with its method', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation['x-stageflow-scope']).toBe(route.public ? 'public' : (route.scope ?? 'ingest'));
    }
    const documented = Object.values(doc.paths).flatMap((p) => Object.keys(p as object)).length;
    expect(documented).toBe(ROUTES.length);
  });

  it('offers bearer and basic keys, and opens only the public routes', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearerKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      basicKey: expect.objectContaining({ type: 'http', scheme: 'basic' }),
    });
    expect(doc.security).toEqual([{ bearerKey: [] }, { basicKey: [] }]);
    for (const route of ROUTES) {
      const operation = doc.paths[route.path][route.method.toLowerCase()];
      if (route.public) {
        expect(operation.security, route.path).toEqual([]);
        expect(operation.responses[401]).toBeUndefined();
      } else {
        expect(operation.security, route.path).toBeUndefined();
        expect(operation.responses[401]).toEqual({ $ref: '#/components/responses/Unauthorized' });
        expect(operation.responses[429]).toEqual({ $ref: '#/components/responses/TooManyRequests' });
        // 403: an ingest key on an admin route, or a read key on anything but a GET.
        expect(operation.responses[403] !== undefined, `403 on ${route.method} ${route.path}`).toBe(
          route.scope === 'admin' || route.method !== 'GET',
        );
      }
    }
  });

  it('describes every error as problem+json and resolves every $ref', () => {
    for (const name of [
      'ValidationFailed',
      'Unauthorized',
      'Forbidden',
      'TooManyRequests',
      'InternalError',
    ]) {
      expect(doc.components.responses[name].content['application/problem+json'].schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
    }
    expect(doc.components.responses.TooManyRequests.headers['Retry-After']).toBeDefined();
    for (const target of new Set(refs(doc))) {
      const [, section, name] = /^#\/components\/(\w+)\/(\w+)$/.exec(target) ?? [];
      expect(doc.components[section]?.[name], target).toBeDefined();
    }
  });

  it('takes request bodies from the schemas the handlers validate with', () => {
    const touchpoint = doc.components.schemas.TouchpointInput;
    expect(touchpoint.required).toEqual(expect.arrayContaining(['messageId', 'event']));
    expect(touchpoint.properties.stage).toBeUndefined();
    expect(doc.paths['/v1/campaigns'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CampaignWrite',
    });
    // What GET answers is a valid PUT body: the read-only fields are in the write schema, marked so.
    const write = doc.components.schemas.CampaignWrite;
    expect(Object.keys(write.properties)).toEqual(
      expect.arrayContaining(Object.keys(doc.components.schemas.CampaignInput.properties)),
    );
    for (const field of ['campaignId', 'version', 'status', 'createdAt', 'updatedAt']) {
      expect(write.properties[field].readOnly).toBe(true);
    }
    for (const path of ['/v1/campaigns/{campaignId}', '/v1/templates/{name}']) {
      expect(Object.keys(doc.paths[path].patch.requestBody.content)).toEqual([
        'application/merge-patch+json',
        'application/json',
      ]);
    }
    expect(doc.components.schemas.TemplateWritten.required).toContain('removedLocales');
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves the document with this API as the first server', async () => {
    // Act
    const res = (await handler({
      requestContext: { domainName: 'abc123.execute-api.eu-central-1.amazonaws.com', apiId: 'abc123' },
    } as APIGatewayProxyEventV2)) as { statusCode: number; body: string };
    // Assess
    expect(res.statusCode).toBe(200);
    const served = JSON.parse(res.body);
    expect(served.paths).toEqual(doc.paths);
    expect(served.servers[0]).toEqual({
      url: 'https://abc123.execute-api.eu-central-1.amazonaws.com',
      description: 'This API',
    });
  });
});
