import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console/';

/** The app's path below /console/ (no leading slash). */
const current = () => decodeURIComponent(location.pathname.slice(BASE.length)).replace(/\/+$/, '');

/** Client-side navigation; the server answers every /console/ path with the app. */
export function navigate(path: string): void {
  history.pushState(null, '', href(path));
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

/** `href` for a link inside the app; clicks go through navigate() (see Link). */
export const href = (path: string) => BASE + path.split('/').map(encodeURIComponent).join('/');
