import { api, call } from '../api/client';
import { Link, Loaded, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { type CampaignMetrics, judgeable, liftText } from './campaign-figures';
import { Freshness } from './report';

/**
 * What the campaign did: its figures, the lift in plain words with both groups beside it, and
 * sent, opens and clicks per step, all as `GET /v1/campaigns/{id}/metrics` answers them.
 */
export function CampaignResults(props: { campaignId: string }) {
  const { t } = useI18n();
  const [load, reload] = useLoad(
    () =>
      call(() =>
        api.GET('/v1/campaigns/{campaignId}/metrics', {
          params: { path: { campaignId: props.campaignId } },
        }),
      ),
    [props.campaignId],
  );
  return (
    <section aria-labelledby="results">
      <h2 id="results">{t('campaign.results')}</h2>
      <Loaded load={load} retry={reload}>
        {(m) => <Figures m={m} />}
      </Loaded>
    </section>
  );
}

function Figures(props: { m: CampaignMetrics }) {
  const { t, locale, number, percent, money } = useI18n();
  const { m } = props;
  const c = m.conversion;
  const figures: [string, string, string][] = [
    ['entered', t('campaign.entered'), number(m.entered)],
    ['heldOut', t('campaign.heldOut'), number(m.heldOut)],
    ['sent', t('campaigns.sent'), number(m.sent)],
    ['delivered', t('campaign.delivered'), number(m.delivered)],
    ['openRate', t('campaigns.openRate'), percent(m.openRate)],
    ['clickRate', t('campaigns.clickRate'), percent(m.clickRate)],
    ['bounced', t('campaign.bounced'), number(m.bounced)],
    ['unsubscribed', t('campaign.unsubscribed'), number(m.unsubscribed)],
  ];
  const tooFew = !judgeable(c);
  const revenue = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([currency, amount]) => money(amount, currency))
      .join(', ') || '–';
  return (
    <>
      <p class="state">{t('campaign.resultsAllTime')}</p>
      <ul class="figures">
        {figures.map(([key, label, value]) => (
          <li key={key} data-figure={key}>
            {label}: <strong>{value}</strong>
          </li>
        ))}
      </ul>
      <p class="lift" data-figure="lift">
        {c.goal === 'none'
          ? liftText(t, locale, c)
          : t('campaign.liftStatement', {
              goal: t(`goal.${c.goal}`),
              days: c.windowDays,
              lift: liftText(t, locale, c),
            })}
      </p>
      {c.goal === 'none' ? null : (
        <>
          {tooFew ? (
            <p class="state" data-figure="too-few">
              {t('campaign.tooFew')}
            </p>
          ) : null}
          <TableWrap label={t('campaigns.conversion')}>
            <table aria-describedby="revenue-note">
              <thead>
                <tr>
                  <th scope="col">{t('campaign.arm')}</th>
                  <th scope="col" class="num">
                    {t('campaign.armCustomers')}
                  </th>
                  <th scope="col" class="num">
                    {t('campaign.converted')}
                  </th>
                  {/* Too few customers: the rates are a running count, and the heading says so. */}
                  <th scope="col" class="num">
                    {t(tooFew ? 'campaign.rateSoFar' : 'campaign.rate')}
                  </th>
                  <th scope="col" class="num">
                    {t('campaign.revenueMailed')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {(['treatment', 'control'] as const).map((arm) => (
                  <tr key={arm} data-arm={arm}>
                    <th scope="row">{t(`campaign.${arm}`)}</th>
                    <td class="num">{number(c[arm].customers)}</td>
                    <td class="num">{number(c[arm].converted)}</td>
                    {/* Too few customers: the control rate (and so the gap) says nothing yet. */}
                    <td class={tooFew ? 'num muted' : 'num'} data-muted={tooFew ? 'too-few' : undefined}>
                      {percent(c[arm].rate)}
                    </td>
                    <td class="num">{revenue(m.revenue[arm])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <p id="revenue-note" class="hint">
            {t('campaign.revenueMailedNote')}
          </p>
          <p class="hint">
            <Link to="attribution" search={{ explain: 'missing' }}>
              {t('campaign.missingLink')}
            </Link>
          </p>
          {c.pValue === null || tooFew ? null : (
            <p class="state">
              {t('campaign.pValue', {
                p: new Intl.NumberFormat(locale === 'de' ? 'de-DE' : 'en-GB', {
                  maximumSignificantDigits: 2,
                }).format(c.pValue),
              })}
            </p>
          )}
        </>
      )}
      <h3 id="step-figures">{t('campaign.stepFigures')}</h3>
      {m.steps.every((s) => s.sent === 0) ? (
        <p class="state empty">{t('campaign.noSends')}</p>
      ) : (
        <TableWrap label={t('campaign.stepFigures')}>
          <table aria-labelledby="step-figures">
            <thead>
              <tr>
                <th scope="col">{t('campaign.stepColumn')}</th>
                <th scope="col">{t('customer.template')}</th>
                <th scope="col" class="num">
                  {t('campaigns.sent')}
                </th>
                <th scope="col" class="num">
                  {t('campaign.delivered')}
                </th>
                <th scope="col" class="num">
                  {t('campaign.opens')}
                </th>
                <th scope="col" class="num">
                  {t('campaigns.openRate')}
                </th>
                <th scope="col" class="num">
                  {t('campaign.clicks')}
                </th>
                <th scope="col" class="num">
                  {t('campaigns.clickRate')}
                </th>
              </tr>
            </thead>
            <tbody>
              {m.steps.map((s) => (
                <tr key={s.step} data-step={s.step}>
                  <th scope="row">{t('campaign.step', { n: s.step + 1 })}</th>
                  <td>{s.template ?? '–'}</td>
                  <td class="num">{number(s.sent)}</td>
                  <td class="num">{number(s.delivered)}</td>
                  <td class="num">{number(s.opened.unique)}</td>
                  <td class="num">{percent(s.delivered ? s.opened.unique / s.delivered : null)}</td>
                  <td class="num">{number(s.clicked.unique)}</td>
                  <td class="num">{percent(s.delivered ? s.clicked.unique / s.delivered : null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Freshness asOf={m.asOf} lagSeconds={m.lagSeconds} />
    </>
  );
}
