import type { components } from './api/schema';

export type Principal = components['schemas']['Principal'];
export interface Session {
  key: string;
  who: Principal;
}

// sessionStorage only: the key lives as long as the tab and never reaches localStorage or a cookie.
const STORED = 'stageflow.console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORED);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORED, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORED);
}

/** Viewers (read keys) see everything and change nothing; the API refuses them anyway. */
export const canWrite = (session: Session | null) => session?.who.scope === 'admin';
