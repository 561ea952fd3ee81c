import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { type Notice, StatusNotice } from '../components/status-notice';
import { Empty, ErrorView, Link, Loaded, TableWrap, useLoad } from '../components/ui';
import { plural, type Translate, useI18n } from '../i18n';
import { eventLabel, stageLabel } from '../labels';
import { canWrite, type Session } from '../session';
import { type CampaignMetrics, changedBy, judgeable, liftText } from './campaign-figures';
import { changeStatus, statusNotice } from './campaign-status';

/** What starts a campaign, in words: "the customer enters research". */
export function triggerText(t: Translate, trigger: Campaign['trigger']): string {
  if (trigger.type === 'stage')
    return t('campaign.triggerStage', { stages: trigger.enters.map((s) => stageLabel(t, s)).join(', ') });
  return t('campaign.triggerEvent', { event: eventLabel(t, trigger.detailType) });
}

/** A campaign as the API returns it: the stored version plus its definition. */
export type Campaign = components['schemas']['Campaign'] & components['schemas']['CampaignInput'];

/** Campaign list with status and each campaign's key figures; marketers activate and pause from here. */
export function CampaignsPage(props: { session: Session }) {
  const { t, locale, number, percent } = useI18n();
  const [load, reload] = useLoad(async () => {
    const [campaigns, metrics] = await Promise.all([
      call(() => api.GET('/v1/campaigns')),
      // The list stays usable when the figures cannot be read: they show as missing.
      call(() => api.GET('/v1/campaigns/metrics')).catch((error: unknown) => ({ error })),
    ]);
    return { items: campaigns.items as Campaign[], metrics };
  }, []);
  const [actionError, setActionError] = useState<unknown>(null);
  // The status each activate or pause answered, shown at once: the list's reload also reads
  // every campaign's figures, which can take a while.
  const [changed, setChanged] = useState<Record<string, Campaign>>({});
  const [busy, setBusy] = useState<string | null>(null);
  // A pause is one click, so it says what it did and offers to undo it.
  const [notice, setNotice] = useState<Notice | null>(null);
  const writable = canWrite(props.session);

  const change = async (c: Campaign, to: 'activate' | 'pause') => {
    setActionError(null);
    setBusy(c.campaignId);
    try {
      const after = await changeStatus(c.campaignId, to);
      setChanged((all) => ({ ...all, [c.campaignId]: after }));
      setNotice(statusNotice(t, to, c.name, () => change(after, 'activate')));
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section>
      <h1>{t('campaigns.heading')}</h1>
      <p>{t('campaigns.intro')}</p>
      {writable ? (
        <p>
          <Link to="campaigns/new" class="button">
            {t('campaigns.new')}
          </Link>
        </p>
      ) : null}
      <details class="lift-legend">
        <summary>{t('campaigns.liftLegendTitle')}</summary>
        <p>{t('campaigns.liftLegend')}</p>
      </details>
      {actionError ? <ErrorView error={actionError} /> : null}
      {writable ? <StatusNotice notice={notice} /> : null}
      <Loaded load={load} retry={reload}>
        {({ items, metrics }) => {
          const figures = new Map(
            'items' in metrics ? metrics.items.map((m) => [m.campaignId, m] as const) : [],
          );
          const dash = '–';
          // Failed sends get a column only when there are any: most lists have none.
          const anyFailed = [...figures.values()].some((m) => m.failed > 0);
          return items.length === 0 ? (
            <Empty>{t('campaigns.empty')}</Empty>
          ) : (
            <>
              {'error' in metrics ? <ErrorView error={metrics.error} /> : null}
              <TableWrap label={t('campaigns.heading')}>
                <table class="campaigns">
                  <thead>
                    <tr>
                      <th scope="col">{t('common.name')}</th>
                      <th scope="col">{t('campaigns.flow')}</th>
                      <th scope="col">{t('common.status')}</th>
                      <th scope="col" class="num">
                        {t('campaigns.sent')}
                      </th>
                      <th scope="col" class="num">
                        {t('campaigns.openRate')}
                      </th>
                      <th scope="col" class="num">
                        {t('campaigns.clickRate')}
                      </th>
                      <th scope="col" class="num">
                        {t('campaigns.conversionMailed')}
                      </th>

                      <th scope="col">{t('campaigns.lift')}</th>
                      {anyFailed ? (
                        <th scope="col" class="num">
                          {t('campaigns.failed')}
                        </th>
                      ) : null}
                      <th scope="col">{t('common.updatedBy')}</th>
                      {writable ? <th scope="col">{t('common.actions')}</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {[...items]
                      .sort((a, b) => a.name.localeCompare(b.name))
                      .map((listed) => {
                        const fresh = changed[listed.campaignId];
                        const c = fresh && fresh.updatedAt >= listed.updatedAt ? fresh : listed;
                        const m = figures.get(c.campaignId);
                        const noGoal = m?.conversion.goal === 'none';
                        // Nobody has entered: say why nothing was sent instead of a bare 0.
                        const waiting = m && m.entered === 0 && m.sent === 0 && m.heldOut === 0;
                        return (
                          <tr key={c.campaignId} data-campaign={c.campaignId}>
                            <th scope="row">
                              <Link to={`campaigns/${c.campaignId}`}>{c.name}</Link>
                              {waiting ? (
                                <p class="muted waiting" data-waiting>
                                  {t('campaigns.waiting', { trigger: triggerText(t, c.trigger) })}
                                </p>
                              ) : null}
                            </th>
                            <td>
                              <span class="id">{c.flow}</span>
                              {m ? (
                                <div class="muted" data-goal={m.conversion.goal}>
                                  {t('campaigns.goalIs', { goal: t(`goal.${m.conversion.goal}`) })}
                                </div>
                              ) : null}
                            </td>
                            <td>
                              <span class={`badge ${c.status}`}>{t(`status.${c.status}`)}</span>
                            </td>
                            <td class="num" data-figure="sent">
                              {m ? number(m.sent) : dash}
                            </td>
                            <td class="num" data-figure="openRate">
                              {m ? percent(m.openRate) : dash}
                            </td>
                            <td class="num" data-figure="clickRate">
                              {m ? percent(m.clickRate) : dash}
                            </td>
                            <td
                              class="num"
                              data-figure="conversion"
                              data-provisional={
                                m && !noGoal && !waiting && !judgeable(m.conversion) ? 'too-few' : undefined
                              }
                            >
                              {m && !noGoal && !waiting ? <ConversionRates c={m.conversion} /> : dash}
                            </td>
                            {/* Nobody entered: the lift waits for customers, in three words, not the
                                customers each group lacks (the row says why nothing was sent). */}
                            <td data-figure="lift">
                              {m
                                ? waiting && !noGoal
                                  ? t('lift.waiting')
                                  : liftText(t, locale, m.conversion)
                                : dash}
                            </td>
                            {anyFailed ? (
                              <td class="num" data-figure="failed">
                                {m && m.failed > 0 ? (
                                  <Link to="messages" search={{ campaignId: c.campaignId, status: 'failed' }}>
                                    {t(
                                      plural(
                                        m.failed,
                                        'campaigns.failedLink.one',
                                        'campaigns.failedLink.other',
                                      ),
                                      {
                                        n: number(m.failed),
                                      },
                                    )}
                                  </Link>
                                ) : (
                                  number(0)
                                )}
                              </td>
                            ) : null}
                            <td class="changed-by id">{changedBy(t, c)}</td>
                            {writable ? (
                              <td class="actions">
                                {c.status === 'active' ? (
                                  <button
                                    type="button"
                                    disabled={busy === c.campaignId}
                                    aria-busy={busy === c.campaignId}
                                    onClick={() => change(c, 'pause')}
                                    aria-label={t('campaigns.pause', { name: c.name })}
                                  >
                                    {shownAction(t('campaigns.pause', { name: c.name }), c.name, locale)}
                                  </button>
                                ) : (
                                  <button
                                    type="button"
                                    disabled={busy === c.campaignId}
                                    aria-busy={busy === c.campaignId}
                                    onClick={() => change(c, 'activate')}
                                    aria-label={t('campaigns.activate', { name: c.name })}
                                  >
                                    {shownAction(t('campaigns.activate', { name: c.name }), c.name, locale)}
                                  </button>
                                )}
                              </td>
                            ) : null}
                          </tr>
                        );
                      })}
                  </tbody>
                </table>
              </TableWrap>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/**
 * The mailed group's conversion rate with the held-out group's under it, so the mailed rate does
 * not read as a result on its own. While the lift has too few customers to judge, both are a
 * muted "so far" with the customers behind them: the API's rates, not a finding. No held-out
 * customer yet: no held-out line ("converted –" was only noise).
 */
function ConversionRates(props: { c: CampaignMetrics['conversion'] }) {
  const { t, percent, number } = useI18n();
  const { c } = props;
  if (judgeable(c))
    return (
      <>
        <span data-rate>{percent(c.treatment.rate)}</span>
        <div class="muted" data-figure="controlRate">
          {t('campaigns.conversionControl', { rate: percent(c.control.rate) })}
        </div>
      </>
    );
  const n = (count: number) => ({ n: number(count) });
  return (
    <span class="provisional">
      <span data-rate>{percent(c.treatment.rate)}</span>{' '}
      <span data-so-far>
        {t(
          plural(c.treatment.customers, 'campaigns.soFar.one', 'campaigns.soFar.other'),
          n(c.treatment.customers),
        )}
      </span>
      {c.control.customers > 0 ? (
        <span class="provisional-line" data-figure="controlRate">
          {t(plural(c.control.customers, 'campaigns.controlSoFar.one', 'campaigns.controlSoFar.other'), {
            rate: percent(c.control.rate),
            ...n(c.control.customers),
          })}
        </span>
      ) : null}
    </span>
  );
}

/**
 * "Pause {name}" shows only "Pause": the row already shows the name, and a button per row the
 * height of the campaign's name made the list hard to scan. The button's aria-label keeps the
 * whole sentence. What is left starts with a capital, as a button does ("{name} pausieren"
 * shows "Pausieren").
 */
function shownAction(text: string, name: string, locale: string): string {
  const rest = text.replace(name, '').trim();
  return rest.charAt(0).toLocaleUpperCase(locale) + rest.slice(1);
}
