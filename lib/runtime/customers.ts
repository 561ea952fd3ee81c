import { dynamoClient } from '../aws/clients.js';
import { DynamoDbCustomerLists } from '../customers/dynamodb-customer-lists.js';
import { ListCustomers, ReadCustomers } from '../customers/index.js';
import { defaultModel } from '../journey/index.js';
import { container, once } from './container.js';

/**
 * The customer read use cases (one customer, the lists), built once on first use. Apart from
 * container() so the ingest function, which never reads customers, does not bundle them and
 * build their query schemas at every cold start (docs/architecture.md, "Cold start").
 */
export const customerReads = once(() => {
  const { config, journeyStore } = container();
  const stages = defaultModel.model.stages.map((s) => s.name);
  return {
    customers: new ReadCustomers(journeyStore),
    customerLists: new ListCustomers(
      new DynamoDbCustomerLists(dynamoClient(), config.tableName, stages),
      stages,
    ),
  };
});
