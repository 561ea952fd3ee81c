import { accessTokenVerifier, CognitoTokenVerifier } from '../auth/aws-cognito-tokens.js';
import { DynamoDbKeyStore } from '../auth/dynamodb-key-store.js';
import { Authenticator, Credentials } from '../auth/index.js';
import { dynamoClient } from '../aws/clients.js';
import { config, runtimeConfig } from '../config.js';
import { once } from './once.js';

/**
 * The key store, the authenticator over it, and the credentials check the authorizer makes
 * (keys, and the console users' access tokens when a user pool is configured): the authorizer
 * needs only these, not the container.
 */
export const keys = once(() => {
  const keyStore = new DynamoDbKeyStore(dynamoClient(), config().tableName);
  const authenticator = new Authenticator(keyStore, runtimeConfig().authCacheMs);
  const pool = runtimeConfig().userPool;
  const tokens = pool ? new CognitoTokenVerifier(accessTokenVerifier(pool)) : null;
  return { keyStore, authenticator, credentials: new Credentials(authenticator, tokens) };
});
