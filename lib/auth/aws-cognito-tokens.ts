import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwtExpiredError } from 'aws-jwt-verify/error';
import type { TokenOutcome, TokenVerifier } from './user-tokens.js';

export interface CognitoTokenOptions {
  userPoolId: string;
  /** The console's app client: tokens issued to any other client are refused. */
  clientId: string;
}

/** The verifier's own type, so tests can hand it a JWKS (cacheJwks) instead of a download. */
export type AccessTokenJwtVerifier = ReturnType<typeof accessTokenVerifier>;

/**
 * aws-jwt-verify's verifier for the pool's access tokens: signature against the pool's JWKS
 * (downloaded once and cached per process), issuer, `token_use: access`, `client_id`, `exp`.
 */
export const accessTokenVerifier = (options: CognitoTokenOptions) =>
  CognitoJwtVerifier.create({
    userPoolId: options.userPoolId,
    tokenUse: 'access',
    clientId: options.clientId,
  });

/** Adapter: TokenVerifier over Cognito access tokens. */
export class CognitoTokenVerifier implements TokenVerifier {
  constructor(private readonly verifier: AccessTokenJwtVerifier) {}

  async verify(token: string): Promise<TokenOutcome> {
    try {
      const payload = await this.verifier.verify(token);
      const groups = payload['cognito:groups'];
      return {
        kind: 'valid',
        claims: {
          sub: payload.sub,
          username: typeof payload.username === 'string' ? payload.username : payload.sub,
          groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
        },
      };
    } catch (error) {
      if (error instanceof JwtExpiredError) return { kind: 'expired' };
      // The JWKS could not be fetched: a fault of ours, not a bad token; the authorizer fails.
      if (error instanceof FetchError) throw error;
      return { kind: 'invalid' };
    }
  }
}
