import { useState } from 'preact/hooks';
import { ApiError, api, call, fieldProblem } from '../api/client';
import type { components } from '../api/schema';
import { ErrorView, Loaded, Notice, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { keyNameLabel } from '../labels';
import { canWrite, type Session } from '../session';
import { ApiKeys } from './settings-keys';

type Settings = components['schemas']['Settings'];
type Patch = components['schemas']['SettingsPatch'];

/**
 * The deployment's settings: the marketing switch (pause by hand with a reason, resume), the
 * global control group, tracking (read-only: the deployment sets it) and API keys. A viewer
 * sees all of it with no control to change anything.
 */
export function SettingsPage(props: { session: Session }) {
  const { t } = useI18n();
  const writable = canWrite(props.session);
  const [load, reload] = useLoad(async () => call(() => api.GET('/v1/settings')), []);
  // What the last PATCH answered: the settings as they are now, without another GET.
  const [latest, setLatest] = useState<Settings | null>(null);
  const patch = async (body: Patch) => {
    const next = await call(() => api.PATCH('/v1/settings', { body }));
    setLatest(next);
    return next;
  };

  return (
    <section>
      <h1>{t('settings.heading')}</h1>
      <Loaded load={load} retry={reload}>
        {(loaded) => {
          const settings = latest ?? loaded;
          return (
            <>
              <MarketingSwitch settings={settings} writable={writable} patch={patch} />
              <GlobalControl settings={settings} writable={writable} patch={patch} />
              <Tracking settings={settings} />
            </>
          );
        }}
      </Loaded>
      <ApiKeys session={props.session} />
    </section>
  );
}

interface PartProps {
  settings: Settings;
  writable: boolean;
  patch: (body: Patch) => Promise<Settings>;
}

/** Paused now or not, and why: by an SES reputation alarm (automatic), by hand, or both. */
function MarketingSwitch({ settings, writable, patch }: PartProps) {
  const { t, date } = useI18n();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const m = settings.marketing;
  const alarms = Object.entries(m.alarms);
  const inAlarm = alarms.filter(([, a]) => a.state === 'ALARM').map(([name]) => name);
  const byHand = m.manual?.paused === true;
  // Paused with no manual pause, or with an alarm ringing: the switch paused itself.
  const automatic = m.paused && (!byHand || inAlarm.length > 0);

  const change = async (paused: boolean) => {
    setError(null);
    setBusy(true);
    try {
      await patch({ marketing: paused ? { paused, reason: reason.trim() } : { paused } });
      setReason('');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const reasonError = fieldProblem(error, '/marketing/reason');

  return (
    <section aria-labelledby="marketing-heading" data-paused={String(m.paused)}>
      <h2 id="marketing-heading">{t('settings.marketing')}</h2>
      <p class={`switch-state ${m.paused ? 'paused' : 'running'}`}>
        <strong>{m.paused ? t('settings.marketingPaused') : t('settings.marketingRunning')}</strong>
      </p>
      <ul class="switch-why">
        {byHand && m.manual ? (
          <li data-why="manual">
            {t('settings.pausedByHand', {
              at: date(m.manual.at),
              by: m.manual.by ? keyNameLabel(t, m.manual.by) : t('common.unknownUser'),
              reason: m.manual.reason,
            })}
          </li>
        ) : null}
        {automatic ? (
          <li data-why="automatic">
            {t('settings.pausedAutomatically', { at: date(m.since), reason: m.reason })}
          </li>
        ) : null}
        {!m.paused ? (
          <li>
            {m.manual
              ? t('settings.resumedAt', {
                  at: date(m.manual.at),
                  by: m.manual.by ? keyNameLabel(t, m.manual.by) : t('common.unknownUser'),
                })
              : // No switch state yet (no `since`): the API's reason is its English "never paused".
                m.since
                ? m.reason
                : t('settings.neverPaused')}
          </li>
        ) : null}
      </ul>
      <p class="hint">{t('settings.marketingIntro')}</p>
      {alarms.length > 0 ? (
        <TableWrap label={t('settings.alarms')}>
          <table>
            <caption>{t('settings.alarms')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('settings.alarm')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('settings.alarmSince')}</th>
              </tr>
            </thead>
            <tbody>
              {alarms.map(([name, a]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{a.state}</td>
                  <td>{date(a.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {error && !reasonError ? <ErrorView error={error} /> : null}
      {!writable ? null : byHand ? (
        <div class="inline">
          {inAlarm.length > 0 ? <p>{t('settings.alarmStillHolds')}</p> : null}
          <button type="button" disabled={busy} onClick={() => change(false)}>
            {t('settings.resume')}
          </button>
        </div>
      ) : (
        <form
          class="inline"
          aria-label={t('settings.pauseForm')}
          onSubmit={(e) => {
            e.preventDefault();
            change(true);
          }}
        >
          <label>
            {t('settings.pauseReason')}
            <input
              required
              maxLength={500}
              value={reason}
              aria-invalid={reasonError ? true : undefined}
              aria-describedby={reasonError ? 'pause-reason-error' : undefined}
              onInput={(e) => setReason((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            {t('settings.pause')}
          </button>
          {reasonError ? (
            <p id="pause-reason-error" class="field-error" role="alert">
              {t('settings.fieldError', { field: t('settings.pauseReason'), message: reasonError })}
            </p>
          ) : null}
        </form>
      )}
    </section>
  );
}

/** The share held out of all marketing mail, and what holding them out shows so far. */
function GlobalControl({ settings, writable, patch }: PartProps) {
  const { t, percent, number, date } = useI18n();
  const signed = (n: number, unit = '') => `${n > 0 ? '+' : n < 0 ? '−' : ''}${number(Math.abs(n))}${unit}`;
  // A rate difference (0.021) in percentage points, one decimal: "+2.1".
  const points = (ratio: number) => signed(Math.round(ratio * 1000) / 10);
  const [value, setValue] = useState(String(settings.globalControlPercent));
  // The share in force (the last one the API answered), not the one being typed.
  const [current, setCurrent] = useState(settings.globalControlPercent);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [report, reloadReport] = useLoad(async () => call(() => api.GET('/v1/analytics/global-control')), []);

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    // The API validates (0 to 15) and says why; the browser only turns the text into a number.
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (Number.isNaN(n)) {
      setError(
        new ApiError({
          kind: 'problem',
          status: 400,
          detail: '',
          errors: [{ pointer: '/globalControlPercent', message: t('settings.notANumber') }],
        }),
      );
      return;
    }
    try {
      const next = await patch({ globalControlPercent: n });
      setValue(String(next.globalControlPercent));
      setCurrent(next.globalControlPercent);
      setSaved(true);
      reloadReport();
    } catch (e) {
      setError(e);
    }
  };
  const fieldError = fieldProblem(error, '/globalControlPercent');

  return (
    <section aria-labelledby="global-control-heading">
      <h2 id="global-control-heading">{t('settings.globalControl')}</h2>
      <p class="hint">{t('settings.globalControlIntro')}</p>
      {/* noValidate: the API's own message names the field and the range, next to it. */}
      <form class="inline" noValidate aria-label={t('settings.globalControl')} onSubmit={save}>
        <label>
          {t('settings.globalControlPercent')}
          <input
            type="number"
            inputMode="decimal"
            min={0}
            max={15}
            step="any"
            disabled={!writable}
            value={value}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? 'global-control-error' : undefined}
            onInput={(e) => {
              setValue((e.target as HTMLInputElement).value);
              setSaved(false);
            }}
          />
        </label>
        {writable ? <button type="submit">{t('common.save')}</button> : null}
        {fieldError ? (
          <p id="global-control-error" class="field-error" role="alert">
            {t('settings.fieldError', { field: t('settings.globalControlPercent'), message: fieldError })}
          </p>
        ) : null}
      </form>
      {settings.globalControlChange ? (
        <p class="hint">
          {t('settings.globalControlChanged', {
            at: date(settings.globalControlChange.at),
            by: settings.globalControlChange.by
              ? keyNameLabel(t, settings.globalControlChange.by)
              : t('common.unknownUser'),
          })}
        </p>
      ) : null}
      {error && !fieldError ? <ErrorView error={error} /> : null}
      {saved ? <Notice kind="ok">{t('common.saved')}</Notice> : null}
      <Loaded load={report} retry={reloadReport}>
        {(r) => {
          const p = r.purchase;
          // At 0% nobody is held out and nobody is counted (a place is recorded only while the
          // group is on): "Get marketing mail: 0 customers" read as if nobody got mail.
          const counted = p.treatment.customers + p.control.customers > 0;
          if (!counted)
            return (
              <p data-global-control="off">
                {current === 0 ? t('settings.globalControlOff') : t('settings.globalControlNoneYet')}
              </p>
            );
          return (
            <TableWrap label={t('settings.globalControlReport', { days: r.windowDays })}>
              {current === 0 ? <p data-global-control="off">{t('settings.globalControlOffNow')}</p> : null}
              <table data-report="global-control">
                <caption>{t('settings.globalControlReport', { days: r.windowDays })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('settings.arm')}</th>
                    <th scope="col" class="num">
                      {t('overview.customers')}
                    </th>
                    <th scope="col" class="num">
                      {t('settings.purchased')}
                    </th>
                    <th scope="col" class="num">
                      {t('settings.rate')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(['treatment', 'control'] as const).map((arm) => (
                    <tr key={arm} data-arm={arm}>
                      <th scope="row">{t(`settings.arm.${arm}`)}</th>
                      <td class="num" data-value={p[arm].customers}>
                        {number(p[arm].customers)}
                      </td>
                      <td class="num" data-value={p[arm].converted}>
                        {number(p[arm].converted)}
                      </td>
                      <td class="num">{percent(p[arm].rate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                {p.significant === null || p.difference === null
                  ? t('settings.notEnoughData')
                  : !p.significant
                    ? t('settings.noDifference')
                    : t('settings.difference', {
                        points: points(p.difference),
                        low: points(p.interval95?.[0] ?? 0),
                        high: points(p.interval95?.[1] ?? 0),
                        relative: p.lift === null ? '–' : signed(Math.round(p.lift * 100), '%'),
                      })}
              </p>
            </TableWrap>
          );
        }}
      </Loaded>
    </section>
  );
}

/** Open and click tracking: the deployment's STAGEFLOW_TRACKING, which the API will not change. */
function Tracking({ settings }: { settings: Settings }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="tracking-heading">
      <h2 id="tracking-heading">{t('settings.tracking')}</h2>
      <p data-tracking={settings.tracking}>
        <strong>{settings.tracking === 'on' ? t('settings.trackingOn') : t('settings.trackingOff')}</strong>
      </p>
      <p class="hint">{t('settings.trackingReadOnly')}</p>
    </section>
  );
}
