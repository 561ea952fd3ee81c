import { MERGE_PATCH_TYPES } from '../../lib/http/merge-patch.js';
import {
  Preview,
  Template,
  TemplateList,
  TemplatePatch,
  TemplateWritten,
  TestSent,
} from '../../lib/templates/http-schemas.js';
import { PreviewInput, TemplateInput, TestSendInput } from '../../lib/templates/template.js';
import type { Operations } from '../operation.js';

/** The operations of email templates: one entry per route in ROUTES (lib/http/routes.ts). */
export const templatesOperations = {
  'GET /v1/templates': {
    operationId: 'listTemplates',
    summary: 'List email templates',
    tag: 'Templates',
    responses: { 200: { description: 'Templates and their languages', body: { schema: TemplateList } } },
  },
  'GET /v1/templates/{name}': {
    operationId: 'getTemplate',
    summary: 'A template in every language',
    tag: 'Templates',
    responses: { 200: { description: 'The template', body: { schema: Template } } },
    errors: { 404: 'No such template' },
  },
  'PUT /v1/templates/{name}': {
    operationId: 'putTemplate',
    summary: 'Create or replace a template (Handlebars; `en` required)',
    description:
      'A full replace: a language left out is removed, and named in `removedLocales`. ' +
      'To change one part or one language, PATCH.',
    tag: 'Templates',
    body: { schema: TemplateInput },
    responses: {
      200: { description: 'Replaced', body: { schema: TemplateWritten } },
      201: {
        description: 'Created',
        body: { schema: TemplateWritten },
        headers: { Location: { schema: { type: 'string' } } },
      },
    },
  },
  'PATCH /v1/templates/{name}': {
    operationId: 'patchTemplate',
    summary: 'Change only what a JSON Merge Patch names',
    description: 'RFC 7396, as `application/merge-patch+json` (or `application/json`).',
    tag: 'Templates',
    body: { schema: TemplatePatch, contentType: MERGE_PATCH_TYPES },
    responses: { 200: { description: 'The template as stored', body: { schema: TemplateWritten } } },
    errors: { 404: 'No such template', 415: 'Not a merge patch (see `Accept-Patch`)' },
  },
  'DELETE /v1/templates/{name}': {
    operationId: 'deleteTemplate',
    summary: 'Delete a template',
    tag: 'Templates',
    responses: { 204: { description: 'Deleted' } },
    errors: { 404: 'No such template', 409: 'A campaign still uses it' },
  },
  'POST /v1/templates/{name}/preview': {
    operationId: 'previewTemplate',
    summary: 'Render a template for one customer',
    tag: 'Templates',
    body: { schema: PreviewInput },
    responses: { 200: { description: 'The rendered mail', body: { schema: Preview } } },
    errors: { 404: 'No such template or customer' },
  },
  'POST /v1/templates/{name}/test-send': {
    operationId: 'testSendTemplate',
    summary: 'Send one mail of a template to one address (admin)',
    description:
      "Rendered by SES from the template data a campaign send carries: the named customer's, or sample " +
      'data (firstName Alex, order SAMPLE-1001, …) without `customerId`. It goes only to `to`, is logged ' +
      'for no customer, carries `X-Stageflow-Test-Send: true`, and its unsubscribe link unsubscribes nobody.',
    tag: 'Templates',
    body: { schema: TestSendInput },
    responses: { 200: { description: 'Sent', body: { schema: TestSent } } },
    errors: {
      404: 'No such template or customer',
      422: 'The mail provider refused the mail',
      503: 'The mail provider did not answer (retry after `Retry-After` seconds)',
    },
  },
} satisfies Operations;
