import { accessTokenVerifier, CognitoTokenVerifier } from '../auth/aws-cognito-tokens.js';
import { Credentials } from '../auth/index.js';
import { runtimeConfig } from '../config.js';
import { keys } from './auth.js';
import { once } from './once.js';

/**
 * The credentials check the authorizer makes: keys, and the console users' access tokens when
 * a user pool is configured. The authorizer needs only this, not the container.
 */
export const credentials = once(() => {
  const pool = runtimeConfig().userPool;
  const tokens = pool ? new CognitoTokenVerifier(accessTokenVerifier(pool)) : null;
  return new Credentials(keys().authenticator, tokens);
});
