import type { components } from './api/schema';

export type Principal = components['schemas']['Principal'];
export interface Session {
  /** What the API gets as `Authorization: Bearer`: an API key, or a Cognito access token. */
  key: string;
  who: Principal;
  /** Deployed sign-in: the token's expiry (ms since epoch); keys have none. */
  expiresAt?: number;
  via?: 'key' | 'cognito';
}

// sessionStorage only: the key lives as long as the tab and never reaches localStorage or a cookie.
const STORED = 'stageflow.console.session';

let expiredOnLoad = false;

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORED);
    const session = raw ? (JSON.parse(raw) as Session) : null;
    // An access token past its expiry is no session: back to sign-in, saying why.
    if (session?.expiresAt && session.expiresAt <= Date.now()) {
      clearSession();
      expiredOnLoad = true;
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

/** Whether loadSession found an expired sign-in (the sign-in page says so). */
export const sessionExpiredOnLoad = () => expiredOnLoad;

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORED, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORED);
}

/** Viewers (read keys) see everything and change nothing; the API refuses them anyway. */
export const canWrite = (session: Session | null) => session?.who.scope === 'admin';
