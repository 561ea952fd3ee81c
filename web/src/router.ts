import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console/';

/** The app's path below /console/ (no leading slash). */
const current = () => decodeURIComponent(location.pathname.slice(BASE.length)).replace(/\/+$/, '');

/**
 * Client-side navigation; the server answers every /console/ path with the app. `search` is the
 * page's filters (see useSearch): a link can carry them, e.g. the campaigns list's failures.
 */
export function navigate(path: string, search?: Record<string, string | undefined>): void {
  history.pushState(null, '', href(path, search));
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(current());
  useEffect(() => {
    const update = () => setPath(current());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

/**
 * The page's filters from the query string, updated on back and forward: a page keeps its
 * filters there, so a reload keeps them and a copied link shows the same figures.
 */
export function useSearch(): URLSearchParams {
  const [search, setSearch] = useState(location.search);
  useEffect(() => {
    const update = () => setSearch(location.search);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return new URLSearchParams(search);
}

/** Shows the same page with other filters, as a new history entry (back returns to the old ones). */
export function setSearch(values: Record<string, string | undefined>): void {
  const next = queryString(values);
  if (next === location.search) return;
  history.pushState(null, '', location.pathname + next);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** `?a=1&b=2` of the values that are set (empty and undefined left out), or ''. */
export function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** `href` for a link inside the app; clicks go through navigate() (see Link). */
export const href = (path: string, search?: Record<string, string | undefined>) =>
  BASE + path.split('/').map(encodeURIComponent).join('/') + (search ? queryString(search) : '');
