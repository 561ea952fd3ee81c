import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { BarChart } from '../components/bar-chart';
import { Empty, Loaded, TableWrap, useLoad } from '../components/ui';
import { type I18n, useI18n } from '../i18n';
import { Freshness, isoDay } from './report';

type Report = components['schemas']['AttributionReport'];
type Row = Report['rows'][number];
type Model = Report['model'];
type OneModel = Exclude<Model, 'all'>;
type Money = Record<string, number>;
const MODELS: readonly OneModel[] = ['first', 'last', 'linear', 'position', 'time-decay'];

interface Query {
  from: string;
  to: string;
  model: Model;
  by: 'channel' | 'campaign';
  lookbackDays: 7 | 30 | 90;
}

/** A row's conversions and revenue under one model (a one-model report has them flat). */
const creditOf = (row: Row, model: OneModel): { conversions: number; revenue: Money } => ({
  conversions:
    typeof row.conversions === 'number'
      ? row.conversions
      : (row.conversions as Record<OneModel, number>)[model],
  revenue: (MODELS.every((m) => m in row.revenue)
    ? (row.revenue as Record<OneModel, Money>)[model]
    : row.revenue) as Money,
});

const moneyText = (i18n: I18n, amounts: Money) => {
  const entries = Object.entries(amounts);
  return entries.length === 0 ? i18n.money(0, 'USD') : entries.map(([c, a]) => i18n.money(a, c)).join(', ');
};

/** Which channels and campaigns brought the orders, under one model or all five side by side. */
export function AttributionPage() {
  const i18n = useI18n();
  const { t, number } = i18n;
  const today = new Date();
  const [query, setQuery] = useState<Query>({
    from: isoDay(today, -30),
    to: isoDay(today, 1),
    model: 'linear',
    by: 'campaign',
    lookbackDays: 30,
  });
  const [draft, setDraft] = useState(query);
  const set = (patch: Partial<Query>) => setDraft({ ...draft, ...patch });
  const [load, reload] = useLoad(
    () => call(() => api.GET('/v1/analytics/attribution', { params: { query } })),
    [query],
  );
  const models: readonly OneModel[] = query.model === 'all' ? MODELS : [query.model];
  const keyOf = (row: Row) => row.key[query.by] ?? Object.values(row.key).join(' / ');
  /** What a marketer reads: a Stageflow campaign's name (its id beside it), else the utm value or channel. */
  const nameOf = (row: Row) => {
    const label = (row as { label?: string }).label;
    return label && label !== keyOf(row) ? `${label} (${keyOf(row)})` : keyOf(row);
  };

  return (
    <section>
      <h1>{t('attribution.heading')}</h1>
      <p>{t('attribution.intro')}</p>
      <form
        class="filters"
        aria-label={t('attribution.heading')}
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(draft);
        }}
      >
        <label>
          {t('report.from')}
          <input type="date" required value={draft.from} onInput={(e) => set({ from: value(e) })} />
        </label>
        <label>
          {t('report.to')}
          <input type="date" required value={draft.to} onInput={(e) => set({ to: value(e) })} />
        </label>
        <label>
          {t('attribution.model')}
          <select value={draft.model} onChange={(e) => set({ model: value(e) as Model })}>
            {(['all', ...MODELS] as const).map((m) => (
              <option key={m} value={m}>
                {t(`attribution.model.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('attribution.by')}
          <select value={draft.by} onChange={(e) => set({ by: value(e) as Query['by'] })}>
            {(['campaign', 'channel'] as const).map((b) => (
              <option key={b} value={b}>
                {t(`attribution.by.${b}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('attribution.lookback')}
          <select
            value={String(draft.lookbackDays)}
            onChange={(e) => set({ lookbackDays: Number(value(e)) as Query['lookbackDays'] })}
          >
            {[7, 30, 90].map((d) => (
              <option key={d} value={String(d)}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('report.show')}</button>
      </form>
      <Loaded load={load} retry={reload}>
        {(report) =>
          report.conversions === 0 ? (
            <Empty>{t('attribution.empty')}</Empty>
          ) : (
            <>
              <p class="figures" data-conversions={String(report.conversions)}>
                {t('attribution.totals', {
                  conversions: number(report.conversions),
                  revenue: moneyText(i18n, report.revenue),
                })}
              </p>
              <BarChart
                id="attribution-chart"
                title={t('attribution.chart', { by: t(`attribution.by.${query.by}`) })}
                unit={t('attribution.chartUnit')}
                categories={report.rows.map((r) => ({
                  key: keyOf(r),
                  label: (r as { label?: string }).label ?? keyOf(r),
                }))}
                series={models.map((m) => ({ key: m, label: t(`attribution.model.${m}`) }))}
                value={(key, model) => {
                  const row = report.rows.find((r) => keyOf(r) === key);
                  return row ? creditOf(row, model as OneModel).conversions : 0;
                }}
              />
              <TableWrap label={t('attribution.heading')}>
                <table aria-label={t('attribution.heading')}>
                  <thead>
                    <tr>
                      <th scope="col">{t(`attribution.by.${query.by}`)}</th>
                      {models.map((m) => (
                        <th key={`c-${m}`} scope="col" class="num">
                          {t('attribution.conversionsOf', { model: t(`attribution.model.${m}`) })}
                        </th>
                      ))}
                      {models.map((m) => (
                        <th key={`r-${m}`} scope="col" class="num">
                          {t('attribution.revenueOf', { model: t(`attribution.model.${m}`) })}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {report.rows.map((row) => (
                      <tr key={keyOf(row)} data-key={keyOf(row)}>
                        <th scope="row">{nameOf(row)}</th>
                        {models.map((m) => {
                          const c = creditOf(row, m).conversions;
                          return (
                            <td key={`c-${m}`} class="num" data-model={m} data-conversions={String(c)}>
                              {number(c)}
                            </td>
                          );
                        })}
                        {models.map((m) => {
                          const r = creditOf(row, m).revenue;
                          return (
                            <td key={`r-${m}`} class="num" data-model={m} data-revenue={JSON.stringify(r)}>
                              {moneyText(i18n, r)}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Freshness asOf={report.asOf} lagSeconds={report.lagSeconds} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}

const value = (e: Event) => (e.target as HTMLInputElement).value;
