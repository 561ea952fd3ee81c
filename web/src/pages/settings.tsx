import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { ErrorView, Loaded, Notice, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { canWrite, type Session } from '../session';

type Scope = 'ingest' | 'admin' | 'read';

/** API keys: list, create (the key is shown once) and revoke. Admin only; viewers see a 403 state. */
export function SettingsPage(props: { session: Session }) {
  const { t, date } = useI18n();
  const writable = canWrite(props.session);
  const [load, reload] = useLoad(async () => (await call(() => api.GET('/v1/keys'))).items, []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const made = await call(() => api.POST('/v1/keys', { body: { name, scope } }));
      setCreated(made.key);
      setName('');
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const revoke = async (keyId: string) => {
    setError(null);
    try {
      await call(() => api.DELETE('/v1/keys/{keyId}', { params: { path: { keyId } } }));
      reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section>
      <h1>{t('settings.heading')}</h1>
      <h2>{t('keys.heading')}</h2>
      {error ? <ErrorView error={error} /> : null}
      {created ? (
        <div role="status">
          <Notice kind="ok">{t('keys.shownOnce')}</Notice>
          <label>
            {t('keys.newKey')}
            <input readOnly value={created} />
          </label>
        </div>
      ) : null}
      <Loaded load={load} retry={reload}>
        {(keys) => (
          <TableWrap label={t('keys.heading')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('common.name')}</th>
                  <th scope="col">{t('keys.id')}</th>
                  <th scope="col">{t('keys.scope')}</th>
                  <th scope="col">{t('keys.created')}</th>
                  <th scope="col">{t('common.status')}</th>
                  {writable ? <th scope="col">{t('common.actions')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.keyId}>
                    <th scope="row">{k.name}</th>
                    <td>
                      <code>{k.keyId}</code>
                    </td>
                    <td>{t(`scope.${k.scope}`)}</td>
                    <td>{date(k.createdAt)}</td>
                    <td>{k.revokedAt ? `${t('keys.revoked')} ${date(k.revokedAt)}` : t('keys.active')}</td>
                    {writable ? (
                      <td>
                        {k.revokedAt || k.keyId === props.session.who.keyId ? null : (
                          <button type="button" onClick={() => revoke(k.keyId)}>
                            {t('keys.revoke', { name: k.name })}
                          </button>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Loaded>
      {writable ? (
        <form onSubmit={create} class="inline">
          <label>
            {t('keys.newName')}
            <input
              required
              maxLength={100}
              value={name}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            {t('keys.newScope')}
            <select value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value as Scope)}>
              {(['read', 'admin', 'ingest'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`scope.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{t('keys.create')}</button>
        </form>
      ) : null}
    </section>
  );
}
