import { useState } from 'preact/hooks';
import { ApiError, api, call } from '../api/client';
import { ErrorView, Notice } from '../components/ui';
import { useI18n } from '../i18n';
import { type Session, saveSession } from '../session';

/** Local sign-in with an admin or read key; the key is kept in sessionStorage only. */
export function SignInPage(props: { expired: boolean; onSignedIn: (session: Session) => void }) {
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
      const session = { key: key.trim(), who };
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
