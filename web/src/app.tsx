import { useEffect, useMemo, useState } from 'preact/hooks';
import { whenSessionExpires } from './api/client';
import { signOutOfCognito } from './cognito';
import { Link } from './components/ui';
import {
  I18nContext,
  initialLocale,
  LOCALES,
  type Locale,
  numberFormats,
  rememberLocale,
  translator,
} from './i18n';
import { keyNameLabel, localKeyEnv } from './labels';
import { AttributionPage } from './pages/attribution';
import { CampaignPage, NewCampaignPage } from './pages/campaign';
import { CampaignsPage } from './pages/campaigns';
import { CustomerPage } from './pages/customer';
import { CustomersPage } from './pages/customers';
import { MessagesPage } from './pages/messages';
import { OverviewPage } from './pages/overview';
import { SettingsPage } from './pages/settings';
import { SignInPage } from './pages/sign-in';
import { TemplatePage } from './pages/template';
import { TemplatesPage } from './pages/templates';
import { navigate, usePath } from './router';
import { clearSession, loadSession, type Session, sessionExpiredOnLoad } from './session';

const SECTIONS = [
  'overview',
  'attribution',
  'campaigns',
  'templates',
  'customers',
  'messages',
  'settings',
] as const;

export function App() {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [session, setSession] = useState<Session | null>(loadSession);
  const [expired, setExpired] = useState(sessionExpiredOnLoad);
  const path = usePath();
  const [menuOpen, setMenuOpen] = useState(false);
  // A page chosen from the menu closes it.
  useEffect(() => setMenuOpen(false), [path]);

  const i18n = useMemo(() => {
    const format = new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    return {
      locale,
      t: translator(locale),
      setLocale: (next: Locale) => {
        rememberLocale(next);
        setLocaleState(next);
      },
      date: (iso: string | null | undefined) => (iso ? format.format(new Date(iso)) : ''),
      ...numberFormats(locale),
    };
  }, [locale]);
  const { t } = i18n;

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }, [locale, t]);

  useEffect(
    () =>
      whenSessionExpires(() => {
        setSession(null);
        setExpired(true);
      }),
    [],
  );

  const signOut = () => {
    const signedInWithCognito = session?.via === 'cognito';
    clearSession();
    setSession(null);
    setExpired(false);
    navigate('');
    // Deployed, the managed login's session ends too, or "Sign in" would come straight back.
    if (signedInWithCognito) void signOutOfCognito();
  };

  const [first, id] = path.split('/');
  // The overview is the landing page: how the journey is going, before anything to change.
  const section = first || 'overview';
  const languages = (
    <label class="language">
      <span class="language-text">{t('lang.label')} </span>
      <select
        value={locale}
        onChange={(e) => i18n.setLocale((e.target as HTMLSelectElement).value as Locale)}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {t(`locale.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );

  if (!session) {
    return (
      <I18nContext.Provider value={i18n}>
        <header class="top">
          <span class="brand">{t('app.title')}</span>
          {languages}
        </header>
        <main id="main">
          <SignInPage
            expired={expired}
            onSignedIn={(s) => {
              setExpired(false);
              setSession(s);
            }}
          />
        </main>
      </I18nContext.Provider>
    );
  }

  const page = (() => {
    switch (section) {
      case 'templates':
        return id ? <TemplatePage name={id} session={session} /> : <TemplatesPage />;
      case 'customers':
        return id ? <CustomerPage customerId={id} session={session} /> : <CustomersPage />;
      case 'messages':
        return <MessagesPage />;
      case 'settings':
        return <SettingsPage session={session} />;
      case 'overview':
        return <OverviewPage />;
      case 'attribution':
        return <AttributionPage />;
      default:
        if (id === 'new') return <NewCampaignPage session={session} />;
        return id ? <CampaignPage campaignId={id} session={session} /> : <CampaignsPage session={session} />;
    }
  })();

  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class={`top${menuOpen ? ' open' : ''}`}>
        <span class="brand">{t('app.title')}</span>
        {/* On a phone the navigation and the session controls fold behind this button. */}
        <button
          type="button"
          class="menu-button"
          aria-expanded={menuOpen}
          aria-controls="top-menu"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰ </span>
          {t('nav.menu')}
        </button>
        <div id="top-menu" class="top-menu">
          <nav aria-label={t('nav.label')}>
            <ul>
              {SECTIONS.map((s) => (
                <li key={s}>
                  <Link
                    to={s}
                    class={
                      s === section || (!SECTIONS.includes(section as never) && s === 'campaigns')
                        ? 'current'
                        : ''
                    }
                  >
                    {t(`nav.${s}`)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            {languages}
            {/* "Signed in as" and the name in two spans, so a style can hide the label to the eye. */}
            <span title={localKeyEnv(t, session.who.name)} class="who-name">
              <span class="signed-in-as">{t('session.signedInLabel')} </span>
              {t('session.who', {
                // A local key's name says its scope again ("local admin key", admin): "local · admin".
                name: localKeyEnv(t, session.who.name)
                  ? t('keys.localShort')
                  : keyNameLabel(t, session.who.name),
                scope: t(`scope.${session.who.scope}`),
              })}
            </span>
            <button type="button" onClick={signOut}>
              {t('session.signOut')}
            </button>
          </div>
        </div>
      </header>
      {session.who.scope !== 'admin' ? <p class="viewer-banner">{t('session.viewer')}</p> : null}
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </I18nContext.Provider>
  );
}
