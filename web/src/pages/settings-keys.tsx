import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call, fieldProblem } from '../api/client';
import { Empty, ErrorView, Loaded, Notice, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { keyNameLabel, localKeyEnv } from '../labels';
import { canWrite, type Session } from '../session';

type Scope = 'ingest' | 'admin' | 'read';
interface Key {
  keyId: string;
  name: string;
}

/**
 * API keys: list, create (the key is shown once, with a copy button) and revoke after a
 * confirmation. A viewer sees the list only.
 */
export function ApiKeys(props: { session: Session }) {
  const { t, date } = useI18n();
  const writable = canWrite(props.session);
  const [load, reload] = useLoad(async () => (await call(() => api.GET('/v1/keys'))).items, []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [confirming, setConfirming] = useState<Key | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setRevoked(null);
    try {
      const made = await call(() => api.POST('/v1/keys', { body: { name: name.trim(), scope } }));
      setCreated({ key: made.key, name: made.name });
      setName('');
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const revoke = async (key: Key) => {
    setError(null);
    try {
      await call(() => api.DELETE('/v1/keys/{keyId}', { params: { path: { keyId: key.keyId } } }));
      setConfirming(null);
      setRevoked(keyNameLabel(t, key.name));
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const nameError = fieldProblem(error, '/name');

  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">{t('keys.heading')}</h2>
      {error && !nameError ? <ErrorView error={error} /> : null}
      {created ? <NewKey created={created} onDone={() => setCreated(null)} /> : null}
      {revoked ? <Notice kind="ok">{t('keys.revokedNotice', { name: revoked })}</Notice> : null}
      {confirming ? (
        <ConfirmRevoke
          keyName={keyNameLabel(t, confirming.name)}
          onConfirm={() => revoke(confirming)}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      <Loaded load={load} retry={reload}>
        {(keys) =>
          keys.length === 0 ? (
            <Empty />
          ) : (
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
                    <tr key={k.keyId} data-key-id={k.keyId}>
                      <th scope="row" class="id" title={localKeyEnv(t, k.name)}>
                        {keyNameLabel(t, k.name)}
                      </th>
                      <td>
                        <code>{k.keyId}</code>
                      </td>
                      <td>{t(`scope.${k.scope}`)}</td>
                      <td>
                        {date(k.createdAt)}
                        {k.createdBy ? (
                          <div class="muted id">{t('keys.by', { by: keyNameLabel(t, k.createdBy) })}</div>
                        ) : null}
                      </td>
                      <td>
                        {k.revokedAt ? `${t('keys.revoked')} ${date(k.revokedAt)}` : t('keys.active')}
                        {k.revokedBy ? (
                          <div class="muted id">{t('keys.by', { by: keyNameLabel(t, k.revokedBy) })}</div>
                        ) : null}
                      </td>
                      {writable ? (
                        <td>
                          {k.revokedAt ? null : k.keyId === props.session.who.keyId ? (
                            t('keys.yours')
                          ) : (
                            <button
                              type="button"
                              aria-label={t('keys.revoke', { name: keyNameLabel(t, k.name) })}
                              onClick={() => {
                                setRevoked(null);
                                setConfirming(k);
                              }}
                            >
                              {t('keys.revokeShort')}
                            </button>
                          )}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loaded>
      {writable ? (
        <form onSubmit={create} class="inline" aria-label={t('keys.createForm')}>
          <label>
            {t('keys.newName')}
            <input
              required
              maxLength={100}
              value={name}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? 'key-name-error' : undefined}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
          </label>
          <div class="field">
            <label for="key-scope">{t('keys.newScope')}</label>
            <select
              id="key-scope"
              value={scope}
              aria-describedby="key-scope-hint"
              onChange={(e) => setScope((e.target as HTMLSelectElement).value as Scope)}
            >
              {(['read', 'admin', 'ingest'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`scope.${s}`)}
                </option>
              ))}
            </select>
            <span id="key-scope-hint" class="hint">
              {t(`keys.scopeOption.${scope}`)}
            </span>
          </div>
          <button type="submit">{t('keys.create')}</button>
          {nameError ? (
            <p id="key-name-error" class="field-error" role="alert">
              {t('settings.fieldError', { field: t('keys.newName'), message: nameError })}
            </p>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

/** The new key, once: a warning, the key to select, and a copy button. */
function NewKey(props: { created: { key: string; name: string }; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.created.key);
      setCopied('yes');
    } catch {
      // No clipboard permission (an http origin other than localhost): select it for Ctrl+C.
      input.current?.select();
      setCopied('no');
    }
  };
  return (
    <section class="new-key" aria-label={t('keys.newKeyRegion', { name: props.created.name })}>
      <p class="notice warning">
        <strong>{t('keys.shownOnce')}</strong>
      </p>
      <label>
        {t('keys.newKey')}
        <input
          ref={input}
          readOnly
          value={props.created.key}
          onFocus={(e) => (e.target as HTMLInputElement).select()}
        />
      </label>
      <div class="inline">
        <button type="button" onClick={copy}>
          {t('keys.copy')}
        </button>
        <button type="button" onClick={props.onDone}>
          {t('keys.copiedDone')}
        </button>
      </div>
      {copied ? <p role="status">{copied === 'yes' ? t('keys.copied') : t('keys.copyManually')}</p> : null}
    </section>
  );
}

/** Asks before revoking: whatever uses the key stops working at once. */
function ConfirmRevoke(props: { keyName: string; onConfirm: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => yes.current?.focus(), [props.keyName]);
  return (
    <div class="danger" role="alertdialog" aria-labelledby="revoke-question" aria-describedby="revoke-why">
      <p id="revoke-question">
        <strong>{t('keys.revokeQuestion', { name: props.keyName })}</strong>
      </p>
      <p id="revoke-why">{t('keys.revokeWhy')}</p>
      <div class="inline">
        <button ref={yes} type="button" class="destructive" onClick={props.onConfirm}>
          {t('keys.revokeConfirm', { name: props.keyName })}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}
