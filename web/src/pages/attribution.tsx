import { useEffect, useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { BarChart } from '../components/bar-chart';
import { DayInput } from '../components/day-input';
import { Empty, Loaded, TableWrap, useLoad } from '../components/ui';
import { type I18n, useI18n } from '../i18n';
import { setSearch, useSearch } from '../router';
import {
  type AttributionRow,
  type By,
  creditOf,
  currenciesOf,
  isUnattributed,
  keyOf,
  leadersByCurrency,
  MODELS,
  type Money,
  nextSort,
  type OneModel,
  type Sort,
  type SortColumn,
  sameColumn,
  sortRows,
} from './attribution-rows';
import { Freshness, isoDay } from './report';

type Report = components['schemas']['AttributionReport'];
type Model = Report['model'];

interface Query {
  from: string;
  to: string;
  model: Model;
  by: By;
  lookbackDays: 7 | 30 | 90;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const LOOKBACKS = [7, 30, 90] as const;

/** The report asked for in the address (`?model=linear&by=campaign&from=…`), else the defaults. */
export function queryFrom(params: URLSearchParams, today: Date): Query {
  const model = params.get('model');
  const by = params.get('by');
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const lookback = Number(params.get('lookbackDays'));
  return {
    from: DAY.test(from) ? from : isoDay(today, -30),
    to: DAY.test(to) ? to : isoDay(today, 1),
    model: model === 'all' || MODELS.includes(model as OneModel) ? (model as Model) : 'linear',
    by: by === 'channel' ? 'channel' : 'campaign',
    lookbackDays: (LOOKBACKS as readonly number[]).includes(lookback) ? (lookback as 7 | 30 | 90) : 30,
  };
}

/** `sort=revenue.linear.EUR|conversions.first|name` and `dir=asc|desc`, or null for the default. */
function sortFrom(params: URLSearchParams): Sort | null {
  const [kind, model, currency] = (params.get('sort') ?? '').split('.');
  const direction = params.get('dir') === 'asc' ? 'ascending' : 'descending';
  if (kind === 'name') return { column: { kind }, direction };
  if (!MODELS.includes(model as OneModel)) return null;
  if (kind === 'conversions') return { column: { kind, model: model as OneModel }, direction };
  if (kind === 'revenue' && /^[A-Z]{3}$/.test(currency ?? ''))
    return { column: { kind, model: model as OneModel, currency }, direction };
  return null;
}

const sortParam = (c: SortColumn) =>
  c.kind === 'name'
    ? 'name'
    : c.kind === 'conversions'
      ? `conversions.${c.model}`
      : `revenue.${c.model}.${c.currency}`;

const moneyText = (i18n: I18n, amounts: Money) => {
  const entries = Object.entries(amounts);
  return entries.length === 0 ? i18n.money(0, 'USD') : entries.map(([c, a]) => i18n.money(a, c)).join(', ');
};

/** Which channels and campaigns brought the orders, under one model or all five side by side. */
export function AttributionPage() {
  const i18n = useI18n();
  const { t, number } = i18n;
  const params = useSearch();
  const query = queryFrom(params, new Date());
  const queryKey = JSON.stringify(query);
  const [draft, setDraft] = useState(query);
  // Back and forward change the address: the form follows it.
  useEffect(() => setDraft(query), [queryKey]);
  const set = (patch: Partial<Query>) => setDraft({ ...draft, ...patch });
  const [load, reload] = useLoad(
    () => call(() => api.GET('/v1/analytics/attribution', { params: { query } })),
    [queryKey],
  );
  const models: readonly OneModel[] = query.model === 'all' ? MODELS : [query.model];
  const noneLabel = t(query.by === 'campaign' ? 'attribution.noCampaign' : 'attribution.noChannel');
  /** What a marketer reads: a Stageflow campaign's name (its id beside it), else the utm value or channel. */
  const nameOf = (row: AttributionRow) => {
    if (isUnattributed(query.by, row)) return noneLabel;
    const key = keyOf(query.by, row);
    return row.label && row.label !== key ? `${row.label} (${key})` : key;
  };
  const shortName = (row: AttributionRow) =>
    isUnattributed(query.by, row) ? noneLabel : (row.label ?? keyOf(query.by, row));
  const chosenSort = sortFrom(params);
  const sortBy = (column: SortColumn, current: Sort) => {
    const next = nextSort(current, column);
    setSearch({
      ...Object.fromEntries(params),
      sort: sortParam(next.column),
      dir: next.direction === 'ascending' ? 'asc' : 'desc',
    });
  };

  return (
    <section>
      <h1>{t('attribution.heading')}</h1>
      <p>{t('attribution.intro')}</p>
      <p class="hint" data-credited>
        {t('attribution.credited')}
      </p>
      {/* Linked from every campaign page: a mailed campaign with converted customers can be
          absent here, by the rules (only a click carries its utm campaign). */}
      <details class="lift-legend" id="missing-campaign" open={params.get('explain') === 'missing'}>
        <summary>{t('attribution.missingTitle')}</summary>
        <p>{t('attribution.missing')}</p>
      </details>
      <form
        class="filters"
        aria-label={t('attribution.heading')}
        onSubmit={(e) => {
          e.preventDefault();
          // A new report keeps the sort only when it still has that column.
          setSearch({
            from: draft.from,
            to: draft.to,
            model: draft.model,
            by: draft.by,
            lookbackDays: String(draft.lookbackDays),
            sort: params.get('sort') ?? undefined,
            dir: params.get('dir') ?? undefined,
          });
        }}
      >
        <label>
          {t('report.from')}
          <DayInput required value={draft.from} onInput={(e) => set({ from: value(e) })} />
        </label>
        <label>
          {t('report.to')}
          <DayInput required value={draft.to} onInput={(e) => set({ to: value(e) })} />
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
          <select value={draft.by} onChange={(e) => set({ by: value(e) as By })}>
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
            {LOOKBACKS.map((d) => (
              <option key={d} value={String(d)}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('report.show')}</button>
      </form>
      <Loaded load={load} retry={reload}>
        {(report) => {
          if (report.conversions === 0) return <Empty>{t('attribution.empty')}</Empty>;
          const rows = report.rows as AttributionRow[];
          const currencies = currenciesOf(report.revenue, rows);
          // Ranked by revenue in the currency with the most of it, unless a column was clicked;
          // a clicked column the report does not have falls back to that too.
          const fallback: Sort = {
            column: currencies[0]
              ? { kind: 'revenue', model: models[0], currency: currencies[0] }
              : { kind: 'conversions', model: models[0] },
            direction: 'descending',
          };
          const valid = (s: Sort | null) =>
            s &&
            (s.column.kind === 'name' ||
              (models.includes(s.column.model) &&
                (s.column.kind !== 'revenue' || currencies.includes(s.column.currency))));
          const sort = valid(chosenSort) ? (chosenSort as Sort) : fallback;
          const sorted = sortRows(rows, query.by, sort, shortName);
          const header = (column: SortColumn, label: string, numeric = true) => {
            const active = sameColumn(sort.column, column);
            return (
              <th
                key={sortParam(column)}
                scope="col"
                class={numeric ? 'num' : undefined}
                aria-sort={active ? sort.direction : undefined}
              >
                <button type="button" class="sort" onClick={() => sortBy(column, sort)}>
                  {label}
                  <span aria-hidden="true" class="sort-mark">
                    {active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ' ↕'}
                  </span>
                </button>
              </th>
            );
          };
          const leaders =
            query.model === 'all' ? [] : leadersByCurrency(rows, query.by, query.model, currencies);
          return (
            <>
              <p class="figures" data-conversions={String(report.conversions)}>
                {t('attribution.totals', {
                  conversions: number(report.conversions),
                  revenue: moneyText(i18n, report.revenue),
                })}
              </p>
              {query.model !== 'all' ? (
                <p class="answer" data-leaders>
                  {leaders.length === 0
                    ? t(`attribution.noLeader.${query.by}`, { model: t(`attribution.model.${query.model}`) })
                    : t(`attribution.leaders.${query.by}`, {
                        model: t(`attribution.model.${query.model}`),
                        list: leaders
                          .map((l) =>
                            t('attribution.leader', {
                              currency: l.currency,
                              names: l.rows.map(shortName).join(', '),
                              amount: i18n.money(l.amount, l.currency),
                            }),
                          )
                          .join('; '),
                      })}
                </p>
              ) : null}
              {currencies.length > 1 ? <p class="hint">{t('attribution.perCurrency')}</p> : null}
              <BarChart
                id="attribution-chart"
                title={t('attribution.chart', { by: t(`attribution.by.${query.by}`) })}
                unit={t('attribution.chartUnit')}
                categories={sorted.map((r) => ({ key: keyOf(query.by, r), label: shortName(r) }))}
                series={models.map((m) => ({ key: m, label: t(`attribution.model.${m}`) }))}
                value={(key, model) => {
                  const row = rows.find((r) => keyOf(query.by, r) === key);
                  return row ? creditOf(row, model as OneModel).conversions : 0;
                }}
              />
              <TableWrap label={t('attribution.heading')}>
                <table class="attribution" aria-label={t('attribution.heading')}>
                  <caption class="hint">{t('attribution.sortHint')}</caption>
                  <thead>
                    <tr>
                      {header({ kind: 'name' }, t(`attribution.by.${query.by}`), false)}
                      {models.map((m) =>
                        header(
                          { kind: 'conversions', model: m },
                          t('attribution.conversionsOf', { model: t(`attribution.model.${m}`) }),
                        ),
                      )}
                      {models.flatMap((m) =>
                        currencies.map((c) =>
                          header(
                            { kind: 'revenue', model: m, currency: c },
                            t('attribution.revenueIn', { model: t(`attribution.model.${m}`), currency: c }),
                          ),
                        ),
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {sorted.map((row) => (
                      <tr
                        key={keyOf(query.by, row)}
                        data-key={keyOf(query.by, row)}
                        class={isUnattributed(query.by, row) ? 'unattributed' : undefined}
                      >
                        <th scope="row">{nameOf(row)}</th>
                        {models.map((m) => {
                          const c = creditOf(row, m).conversions;
                          return (
                            <td key={`c-${m}`} class="num" data-model={m} data-conversions={String(c)}>
                              {number(c)}
                            </td>
                          );
                        })}
                        {models.flatMap((m) => {
                          const r = creditOf(row, m).revenue;
                          return currencies.map((c) => (
                            <td
                              key={`r-${m}-${c}`}
                              class="num"
                              data-model={m}
                              data-currency={c}
                              data-amount={r[c] === undefined ? '' : String(r[c])}
                            >
                              {r[c] === undefined ? '–' : i18n.money(r[c], c)}
                            </td>
                          ));
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Freshness asOf={report.asOf} lagSeconds={report.lagSeconds} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

const value = (e: Event) => (e.target as HTMLInputElement).value;
