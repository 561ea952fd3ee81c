import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, call } from '../api/client';
import { finishSignIn, loadCognitoConfig, SignInFailed, startSignIn } from '../cognito';
import { ErrorView, Notice } from '../components/ui';
import { useI18n } from '../i18n';
import { type CognitoConfig, callbackOf } from '../pkce';
import { type Session, saveSession } from '../session';

/**
 * Sign-in. Deployed (/console/config.json names a Cognito domain): "Sign in" through the managed
 * login, and back here with a code to exchange. Locally: an admin or read key. Either way the
 * credential is kept in sessionStorage only.
 */
export function SignInPage(props: { expired: boolean; onSignedIn: (session: Session) => void }) {
  const { t } = useI18n();
  // undefined while config.json loads; null: no Cognito (the local stack), sign in with a key.
  const [cognito, setCognito] = useState<CognitoConfig | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void loadCognitoConfig().then(async (config) => {
      if (!live) return;
      setCognito(config);
      const callback = config ? callbackOf(location.search) : null;
      if (!config || !callback) return;
      if ('error' in callback) {
        setError(new SignInFailed('refused', callback.error));
        return;
      }
      setBusy(true);
      try {
        const token = await finishSignIn(config, callback);
        const who = await call(() =>
          api.GET('/v1/keys/current', { headers: { authorization: `Bearer ${token.accessToken}` } }),
        );
        const session: Session = { key: token.accessToken, who, expiresAt: token.expiresAt, via: 'cognito' };
        saveSession(session);
        if (live) props.onSignedIn(session);
      } catch (e) {
        if (live) setError(e);
      } finally {
        if (live) setBusy(false);
      }
    });
    return () => {
      live = false;
    };
  }, []);

  if (cognito === undefined) return <section class="sign-in" aria-busy="true" />;
  if (cognito) {
    return (
      <section class="sign-in">
        <h1>{t('signIn.heading')}</h1>
        {props.expired ? <Notice kind="error">{t('session.tokenExpired')}</Notice> : null}
        <p>{t('signIn.cognito.intro')}</p>
        <button type="button" disabled={busy} onClick={() => void startSignIn(cognito)}>
          {busy ? t('signIn.cognito.finishing') : t('signIn.cognito.submit')}
        </button>
        <SignInError error={error} />
      </section>
    );
  }
  return <KeySignIn expired={props.expired} onSignedIn={props.onSignedIn} />;
}

/** Why a managed-login sign-in failed, in words. */
function SignInError(props: { error: unknown }) {
  const { t } = useI18n();
  const { error } = props;
  if (!error) return null;
  if (error instanceof SignInFailed) {
    return (
      <Notice kind="error">
        {error.reason === 'refused'
          ? t('signIn.cognito.refused', { detail: error.message })
          : t('signIn.cognito.failed')}
      </Notice>
    );
  }
  if (error instanceof ApiError && error.failure.kind === 'forbidden')
    return <Notice kind="error">{t('signIn.cognito.noGroup')}</Notice>;
  if (error instanceof ApiError && error.failure.kind === 'unauthorized')
    return <Notice kind="error">{t('signIn.cognito.failed')}</Notice>;
  return <ErrorView error={error} />;
}

/** Local sign-in with an admin or read key; the key is kept in sessionStorage only. */
function KeySignIn(props: { expired: boolean; onSignedIn: (session: Session) => void }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const who = await call(() =>
        api.GET('/v1/keys/current', { headers: { authorization: `Bearer ${key.trim()}` } }),
      );
      if (who.scope === 'ingest') {
        setError('ingest');
        return;
      }
      const session: Session = { key: key.trim(), who, via: 'key' };
      saveSession(session);
      props.onSignedIn(session);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const invalid = error instanceof ApiError && error.failure.kind === 'unauthorized';
  return (
    <section class="sign-in">
      <h1>{t('signIn.heading')}</h1>
      {props.expired ? <Notice kind="error">{t('session.expired')}</Notice> : null}
      <p>{t('signIn.intro')}</p>
      <form onSubmit={submit}>
        <label for="key">{t('signIn.key')}</label>
        <input
          id="key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
      {error === 'ingest' ? (
        <Notice kind="error">{t('signIn.ingestKey')}</Notice>
      ) : invalid ? (
        <Notice kind="error">{t('signIn.invalid')}</Notice>
      ) : error ? (
        <ErrorView error={error} />
      ) : null}
    </section>
  );
}
