import { DynamoDbKeyStore } from '../auth/dynamodb-key-store.js';
import { Authenticator } from '../auth/index.js';
import { dynamoClient } from '../aws/clients.js';
import { config, runtimeConfig } from '../config.js';
import { once } from './once.js';

/**
 * The key store and the authenticator over it. The console users' access tokens are checked
 * only by the authorizer (lib/runtime/credentials.ts), so their verifier (aws-jwt-verify) is not
 * in the bundle of every function that reads keys.
 */
export const keys = once(() => {
  const keyStore = new DynamoDbKeyStore(dynamoClient(), config().tableName);
  const authenticator = new Authenticator(keyStore, runtimeConfig().authCacheMs);
  return { keyStore, authenticator };
});
