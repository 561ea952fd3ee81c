import { DynamoDbKeyStore } from '../auth/dynamodb-key-store.js';
import { Authenticator } from '../auth/index.js';
import { dynamoClient } from '../aws/clients.js';
import { config, runtimeConfig } from '../config.js';
import { once } from './once.js';

/** The key store and the authenticator over it: the authorizer needs only these, not the container. */
export const keys = once(() => {
  const keyStore = new DynamoDbKeyStore(dynamoClient(), config().tableName);
  return { keyStore, authenticator: new Authenticator(keyStore, runtimeConfig().authCacheMs) };
});
