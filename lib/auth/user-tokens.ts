import type { Scope } from './api-keys.js';
import type { Authenticator, KeyContext } from './authenticate.js';
import { keyRateLimit } from './rate-limit.js';

/**
 * Console users signed in through the deployed Cognito user pool: their access token is a
 * credential like an API key, and their group is their scope (docs/security.md).
 */

/** The user pool's groups and the key scope each grants. A user in both is a marketer. */
export const GROUP_SCOPES = { marketers: 'admin', viewers: 'read' } as const satisfies Record<string, Scope>;
export type UserGroup = keyof typeof GROUP_SCOPES;
export const USER_GROUPS = Object.keys(GROUP_SCOPES) as UserGroup[];

/** What a verified access token says about its user. */
export interface UserClaims {
  /** The user's stable id (`sub`). */
  sub: string;
  /** The sign-in name; `npm run users` makes it the user's email. */
  username: string;
  groups: string[];
}

/** A token check: a valid token's claims, an expired one, or one that is not ours or not valid. */
export type TokenOutcome = { kind: 'valid'; claims: UserClaims } | { kind: 'expired' } | { kind: 'invalid' };

/**
 * Port: verifies an access token's signature, issuer, client, token use and expiry
 * (aws-cognito-tokens.ts does it with aws-jwt-verify). Throws only when the keys to verify with
 * cannot be had (the JWKS endpoint is down), never for a bad token.
 */
export interface TokenVerifier {
  verify(token: string): Promise<TokenOutcome>;
}

/** Three base64url parts, the first a JSON object (`eyJ` is `{"`): a JWT, never one of our keys. */
export const looksLikeJwt = (credential: string): boolean =>
  /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);

/** The scope a user's groups grant: marketers admin, viewers read, anything else none (''). */
export function scopeOfGroups(groups: readonly string[]): Scope | '' {
  if (groups.includes('marketers')) return GROUP_SCOPES.marketers;
  if (groups.includes('viewers')) return GROUP_SCOPES.viewers;
  return '';
}

/** The key id a user is rate limited and named by: not a key, so it says `user:`. */
export const userKeyId = (sub: string) => `user:${sub}`;

const REFUSED: KeyContext = { status: 'unknown', keyId: '', name: '', scope: '', rateLimit: 0, rateBurst: 0 };

/**
 * The authorizer's context for a token. A valid token of a user in no Stageflow group is
 * `valid` with no scope, which routes answer with 403: the user is known but may do nothing.
 * The name is the username (the email), so `updatedBy` records the person.
 */
export function userContext(outcome: TokenOutcome, env?: Record<string, string | undefined>): KeyContext {
  if (outcome.kind === 'expired') return { ...REFUSED, status: 'expired' };
  if (outcome.kind === 'invalid') return REFUSED;
  const limit = keyRateLimit(undefined, env);
  return {
    status: 'valid',
    keyId: userKeyId(outcome.claims.sub),
    name: outcome.claims.username,
    scope: scopeOfGroups(outcome.claims.groups),
    rateLimit: limit.perSecond,
    rateBurst: limit.burst,
  };
}

/**
 * Checks what follows `Bearer`: a JWT goes to the token verifier when a user pool is configured;
 * everything else (and any JWT locally, where there is no pool) is looked up as an API key, so
 * keys work unchanged and a token without a pool is simply an unknown key.
 */
export class Credentials {
  constructor(
    private readonly keys: Pick<Authenticator, 'check'>,
    private readonly tokens: TokenVerifier | null,
    private readonly env?: Record<string, string | undefined>,
  ) {}

  async check(credential: string): Promise<KeyContext> {
    if (this.tokens && looksLikeJwt(credential))
      return userContext(await this.tokens.verify(credential), this.env);
    return this.keys.check(credential);
  }
}
