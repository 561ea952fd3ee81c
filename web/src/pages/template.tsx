import { useEffect, useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { ErrorView, Link, Loaded, Notice, useLoad } from '../components/ui';
import { LOCALES, type Locale, useI18n } from '../i18n';
import { keyNameLabel } from '../labels';
import { canWrite, type Session } from '../session';

type Content = components['schemas']['TemplateInput']['locales']['en'];
type Preview = components['schemas']['Preview'];
type TestSent = components['schemas']['TestSent'];

/** The English and German editor, and a preview rendered by the API the way a send renders it. */
export function TemplatePage(props: { name: string; session: Session }) {
  const { t, date } = useI18n();
  // Each save bumps this, so a preview on screen renders the saved version again at once.
  const [saves, setSaves] = useState(0);
  const [load, reload] = useLoad(
    () => call(() => api.GET('/v1/templates/{name}', { params: { path: { name: props.name } } })),
    [props.name],
  );
  return (
    <section>
      <p>
        <Link to="templates">{t('common.back')}</Link>
      </p>
      <h1>{t('template.heading', { name: props.name })}</h1>
      <Loaded load={load} retry={reload}>
        {(template) => (
          <>
            <p>
              {template.updatedAt
                ? t('template.changed', {
                    when: date(template.updatedAt),
                    who: template.updatedBy ? keyNameLabel(t, template.updatedBy) : t('common.unknownUser'),
                  })
                : t('template.neverChanged')}
            </p>
            <div class="split">
              <Editor
                name={props.name}
                locales={template.locales}
                session={props.session}
                onSaved={() => setSaves((n) => n + 1)}
              />
              <div>
                <PreviewPanel name={props.name} saves={saves} />
                {canWrite(props.session) ? <TestSendPanel name={props.name} /> : null}
              </div>
            </div>
          </>
        )}
      </Loaded>
    </section>
  );
}

function Editor(props: {
  name: string;
  locales: Record<string, Content>;
  session: Session;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const writable = canWrite(props.session);
  const [locales, setLocales] = useState<Partial<Record<Locale, Content>>>(props.locales);
  const [outcome, setOutcome] = useState<'saved' | unknown>(null);
  useEffect(() => setLocales(props.locales), [props.locales]);

  const set = (locale: Locale, field: keyof Content, value: string) =>
    setLocales({
      ...locales,
      [locale]: { ...(locales[locale] ?? { subject: '', html: '' }), [field]: value },
    });

  const save = async (event: Event) => {
    event.preventDefault();
    setOutcome(null);
    const clean = (c: Content): Content => ({
      subject: c.subject,
      html: c.html,
      ...(c.text ? { text: c.text } : {}),
    });
    try {
      await call(() =>
        api.PUT('/v1/templates/{name}', {
          params: { path: { name: props.name } },
          body: {
            locales: {
              en: clean(locales.en ?? { subject: '', html: '' }),
              ...(locales.de ? { de: clean(locales.de) } : {}),
            },
          },
        }),
      );
      setOutcome('saved');
      props.onSaved();
    } catch (e) {
      setOutcome(e);
    }
  };

  return (
    <form onSubmit={save} class="editor" aria-label={t('template.editor')}>
      <fieldset disabled={!writable}>
        <legend>{t('template.editor')}</legend>
        {LOCALES.map((locale) => {
          const content = locales[locale];
          const language = t(`locale.${locale}`);
          if (!content) {
            return writable ? (
              <button
                key={locale}
                type="button"
                onClick={() => set(locale, 'subject', locales.en?.subject ?? '')}
              >
                {t('template.addGerman')}
              </button>
            ) : null;
          }
          return (
            <fieldset key={locale} lang={locale}>
              <legend>{language}</legend>
              <label>
                {t('template.subject', { locale: language })}
                <input
                  value={content.subject}
                  onInput={(e) => set(locale, 'subject', (e.target as HTMLInputElement).value)}
                />
              </label>
              <label>
                {t('template.html', { locale: language })}
                <textarea
                  rows={8}
                  value={content.html}
                  onInput={(e) => set(locale, 'html', (e.target as HTMLTextAreaElement).value)}
                />
              </label>
              <label>
                {t('template.text', { locale: language })}
                <textarea
                  rows={4}
                  value={content.text ?? ''}
                  onInput={(e) => set(locale, 'text', (e.target as HTMLTextAreaElement).value)}
                />
              </label>
            </fieldset>
          );
        })}
      </fieldset>
      {writable ? <button type="submit">{t('common.save')}</button> : null}
      {outcome === 'saved' ? (
        <Notice kind="ok">{t('common.saved')}</Notice>
      ) : outcome ? (
        <ErrorView error={outcome} />
      ) : null}
    </form>
  );
}

function PreviewPanel(props: { name: string; saves: number }) {
  const { t, locale: uiLocale } = useI18n();
  const [customerId, setCustomerId] = useState('');
  const [locale, setLocale] = useState<Locale>(uiLocale);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<unknown>(null);

  const render = async () => {
    setError(null);
    try {
      const id = customerId.trim();
      setPreview(
        await call(() =>
          api.POST('/v1/templates/{name}/preview', {
            params: { path: { name: props.name } },
            body: { ...(id ? { customerId: id } : {}), locale },
          }),
        ),
      );
    } catch (e) {
      setPreview(null);
      setError(e);
    }
  };
  const run = (event: Event) => {
    event.preventDefault();
    void render();
  };
  // A preview on screen follows every save: it is rendered again from the saved template.
  useEffect(() => {
    if (props.saves > 0 && preview) void render();
  }, [props.saves]);

  return (
    <section aria-labelledby="preview" class="preview">
      <h2 id="preview">{t('template.preview')}</h2>
      <form onSubmit={run}>
        <label>
          {t('template.previewCustomer')}
          <input
            value={customerId}
            aria-describedby="preview-sample-hint"
            onInput={(e) => setCustomerId((e.target as HTMLInputElement).value)}
          />
        </label>
        <p id="preview-sample-hint">{t('template.previewSampleHint')}</p>
        <label>
          {t('template.previewLocale')}
          <select value={locale} onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {t(`locale.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('template.previewRun')}</button>
      </form>
      {error ? <ErrorView error={error} /> : null}
      {preview ? (
        <div lang={preview.locale}>
          {preview.sample ? <p>{t('template.previewSample')}</p> : null}
          <p class="preview-subject">{t('template.previewSubject', { subject: preview.subject })}</p>
          {preview.html ? (
            // No scripts, no same origin: the mail's HTML can do nothing to the console.
            <iframe title={t('template.previewFrame')} sandbox="" srcDoc={preview.html} />
          ) : (
            <pre>{preview.text}</pre>
          )}
        </div>
      ) : null}
    </section>
  );
}

/** Sends the saved template to one address (the marketer's own), with a customer's or sample data. */
function TestSendPanel(props: { name: string }) {
  const { t, locale: uiLocale } = useI18n();
  const [to, setTo] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [locale, setLocale] = useState<Locale>(uiLocale);
  const [sent, setSent] = useState<TestSent | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSent(null);
    setBusy(true);
    try {
      const id = customerId.trim();
      setSent(
        await call(() =>
          api.POST('/v1/templates/{name}/test-send', {
            params: { path: { name: props.name } },
            body: { to: to.trim(), locale, ...(id ? { customerId: id } : {}) },
          }),
        ),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="test-send" class="test-send">
      <h2 id="test-send">{t('template.testSend')}</h2>
      <p>{t('template.testSendIntro')}</p>
      <form onSubmit={run}>
        <label>
          {t('template.testSendTo')}
          <input
            type="email"
            required
            autoComplete="email"
            value={to}
            onInput={(e) => setTo((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('template.testSendCustomer')}
          <input value={customerId} onInput={(e) => setCustomerId((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('template.testSendLocale')}
          <select value={locale} onChange={(e) => setLocale((e.target as HTMLSelectElement).value as Locale)}>
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {t(`locale.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {t('template.testSendRun')}
        </button>
      </form>
      {error ? <ErrorView error={error} /> : null}
      {sent ? (
        <Notice kind="ok">
          {t(sent.sample ? 'template.testSentSample' : 'template.testSent', {
            to: sent.to,
            language: t(`locale.${sent.locale}`),
          })}
        </Notice>
      ) : null}
    </section>
  );
}
