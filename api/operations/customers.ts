import {
  Customer,
  CustomerExport,
  CustomerList,
  MessageList,
  TouchpointPage,
  TransitionList,
} from '../../lib/customers/http-schemas.js';
import { CustomerListQuery } from '../../lib/customers/list-customers.js';
import { PageQuery } from '../../lib/customers/read-customers.js';
import type { Operations } from '../operation.js';

/** The operations of customer journeys, history, export and erasure: one entry per route in ROUTES (lib/http/routes.ts). */
export const customersOperations = {
  'GET /v1/customers': {
    operationId: 'listCustomers',
    summary:
      'Customers by stage, acquisition channel or campaign, or email; or the most recently active (admin)',
    description:
      'At most one of `stage`, `channel`, `campaign` and `email` (more is a 400 naming them). Without one: the ' +
      'most recently active customers (newest touchpoint, to the hour). `stage`: most recently active first. ' +
      '`channel` and `campaign` follow the acquisition (customers without one are `direct` and `(none)`, as in ' +
      'the funnel), most recently acquired first. `email` is exact and case-insensitive. Served from the table’s ' +
      'indexes, which follow writes within about a second; an erased customer leaves every list. 503 while the ' +
      'list’s index is still being added to an upgraded table.',
    tag: 'Customers',
    query: CustomerListQuery,
    responses: { 200: { description: 'One page', body: { schema: CustomerList } } },
    errors: { 503: 'The list’s table index is not there yet or still being built (see `Retry-After`)' },
  },
  'GET /v1/customers/{customerId}': {
    operationId: 'getCustomer',
    summary: 'A customer’s journey: stage, traits, counts, acquisition',
    description:
      'A user id, or `anon:<anonymousId>` for an anonymous visitor (or the user it has been linked to). A bare id is never looked up as an anonymous id.',
    tag: 'Customers',
    responses: { 200: { description: 'The customer', body: { schema: Customer } } },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/touchpoints': {
    operationId: 'listCustomerTouchpoints',
    summary: 'A customer’s touchpoints, oldest first, paged',
    tag: 'Customers',
    query: PageQuery,
    responses: { 200: { description: 'One page', body: { schema: TouchpointPage } } },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/transitions': {
    operationId: 'listCustomerTransitions',
    summary: 'A customer’s stage transitions',
    tag: 'Customers',
    responses: {
      200: {
        description: 'Every transition',
        body: {
          schema: TransitionList,
        },
      },
    },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/messages': {
    operationId: 'listCustomerMessages',
    summary: 'The message log: every mail the flows sent a customer, or why not (admin)',
    tag: 'Customers',
    responses: {
      200: {
        description: 'Every message record, oldest first',
        body: { schema: MessageList },
      },
    },
    errors: { 404: 'No such customer' },
  },
  'GET /v1/customers/{customerId}/export': {
    operationId: 'exportCustomer',
    summary: 'Everything held on a customer, as one JSON document (admin)',
    description:
      'Profile, touchpoints (with the date each expires), transitions, complaints, messages, consent, ' +
      'suppression, referral link, identity links, pending events and the frequency-cap ledger. 404 once erased.',
    tag: 'Customers',
    responses: { 200: { description: 'The export', body: { schema: CustomerExport } } },
    errors: { 404: 'No such customer (never known, or erased)' },
  },
  'DELETE /v1/customers/{customerId}': {
    operationId: 'eraseCustomer',
    summary: 'Erase a customer (admin)',
    description:
      'Deletes the profile, touchpoints, transitions, complaints, pending events, consent, message log, ' +
      'frequency-cap ledger, identity links, dedupe records and referral link. Only anonymous counters remain. ' +
      'Idempotent: erasing again, or an id never known, also answers 204. Erases exactly the customer named: ' +
      '`anon:<id>` for an anonymous id linked to a user answers 409; erase that user by their id.',
    tag: 'Customers',
    responses: { 204: { description: 'Nothing is held on the customer any more' } },
    errors: { 409: 'The anonymous id is linked to a user; erase the user by their id' },
  },
} satisfies Operations;
