import { dynamoClient } from '../aws/clients.js';
import { DynamoDbCustomerData } from '../customers/dynamodb-customer-data.js';
import { DynamoDbMessageIndex } from '../flows/dynamodb-message-index.js';
import { DynamoDbMessageLog } from '../flows/dynamodb-message-log.js';
import { SearchMessages } from '../flows/message-search.js';
import { container, once } from './container.js';

/**
 * What the customers function needs beyond the journey store, once per process: everything
 * held about a customer (export, erasure), their message log, and the log across customers.
 */
export const personalData = once(() => {
  const { tableName } = container().config;
  return {
    data: new DynamoDbCustomerData(dynamoClient(), tableName),
    messages: new DynamoDbMessageLog(dynamoClient(), tableName),
    search: new SearchMessages(new DynamoDbMessageIndex(dynamoClient(), tableName)),
  };
});
