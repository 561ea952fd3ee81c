import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { useI18n } from '../i18n';
import { href, navigate } from '../router';

/** A link inside the app: a real href (open in new tab works), navigated without a reload. */
export function Link(props: {
  to: string;
  search?: Record<string, string | undefined>;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <a
      href={href(props.to, props.search)}
      class={props.class}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(props.to, props.search);
      }}
    >
      {props.children}
    </a>
  );
}

export type Load<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; data: T };

/** Loads through the API client with explicit loading and error states; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const shown = useRef<string | null>(null);
  const key = JSON.stringify(deps);
  useEffect(() => {
    let live = true;
    // A reload keeps what is on screen until the new data is there (a form's "Saved." stays).
    if (shown.current !== key) setResult({ state: 'loading' });
    shown.current = key;
    load().then(
      (data) => live && setResult({ state: 'ready', data }),
      (error: unknown) => live && setResult({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [key, round]);
  return [result, useCallback(() => setRound((r) => r + 1), [])];
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="state" role="status" aria-live="polite">
      {t('state.loading')}
    </p>
  );
}

export function Empty(props: { children?: ComponentChildren }) {
  const { t } = useI18n();
  return <p class="state empty">{props.children ?? t('state.empty')}</p>;
}

/** The error states every page shares: API unreachable, 403 for a viewer, any other problem. */
export function ErrorView(props: { error: unknown; retry?: () => void }) {
  const { t } = useI18n();
  const failure = props.error instanceof ApiError ? props.error.failure : null;
  const message = !failure
    ? t('state.error', { detail: String((props.error as Error)?.message ?? props.error) })
    : failure.kind === 'unreachable'
      ? t('state.unreachable')
      : failure.kind === 'forbidden'
        ? t('state.forbidden')
        : failure.kind === 'unauthorized'
          ? t('session.expired')
          : failure.kind === 'not-found'
            ? t('state.notFound')
            : t('state.error', { detail: failure.detail });
  return (
    <div class="state error" role="alert">
      <p>{message}</p>
      {props.retry && failure?.kind !== 'forbidden' ? (
        <button type="button" onClick={props.retry}>
          {t('state.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** Renders a Load: loading, error (with retry) or the page's content. */
export function Loaded<T>(props: {
  load: Load<T>;
  retry?: () => void;
  children: (data: T) => ComponentChildren;
}) {
  if (props.load.state === 'loading') return <Loading />;
  if (props.load.state === 'error') return <ErrorView error={props.load.error} retry={props.retry} />;
  return <>{props.children(props.load.data)}</>;
}

/** A short message after an action: polite for success, assertive for failure. */
export function Notice(props: { kind: 'ok' | 'error'; children: ComponentChildren }) {
  return (
    <p class={`notice ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}

/**
 * A table that scrolls sideways on a narrow screen. Focusable and named, so a keyboard user can
 * scroll it too (axe: scrollable-region-focusable).
 */
export function TableWrap(props: { label: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const box = useRef<HTMLElement>(null);
  // Wider than its box (a phone, a long table): say so, or the columns past the edge (the
  // campaigns' Pause button) look missing. The shadow at the right edge shows it too.
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setOverflows(el.scrollWidth > el.clientWidth + 1);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <>
      {overflows ? (
        <p class="scroll-hint" data-scroll-hint>
          {t('table.scrollHint')} →
        </p>
      ) : null}
      <section
        ref={box}
        class={overflows ? 'table-wrap overflows' : 'table-wrap'}
        aria-label={props.label}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
      >
        {props.children}
      </section>
    </>
  );
}
