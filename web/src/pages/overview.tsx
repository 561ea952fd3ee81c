import { useEffect, useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { BarChart } from '../components/bar-chart';
import { DayInput } from '../components/day-input';
import { Empty, Loaded, TableWrap, useLoad } from '../components/ui';
import { plural, type Translate, useI18n } from '../i18n';
import { acquisitionLabel, stageLabel } from '../labels';
import { setSearch, useSearch } from '../router';
import { isLocalHost, openWindowsFrom } from './funnel-window';
import { CohortTable } from './overview-cohorts';
import { StalledSummary } from './overview-stalled';
import { Freshness, isoDay } from './report';

type FunnelReport = components['schemas']['FunnelReport'];
type FunnelGroup = FunnelReport['groups'][number];
type By = 'none' | 'channel' | 'campaign' | 'cohort';
type CohortSize = 'week' | 'month';

/** Stages now, the funnel with its drop-off, and a cohort table: how the journey is going. */
export function OverviewPage() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t('overview.heading')}</h1>
      <Stages />
      <Funnel />
    </section>
  );
}

function Stages() {
  const { t, number } = useI18n();
  const params = useSearch();
  const asked = Number(params.get('stalledAfterDays'));
  const days = Number.isInteger(asked) && asked >= 1 && asked <= 3650 ? asked : 14;
  const [draft, setDraft] = useState(String(days));
  useEffect(() => setDraft(String(days)), [days]);
  const [load, reload] = useLoad(
    () => call(() => api.GET('/v1/analytics/stages', { params: { query: { stalledAfterDays: days } } })),
    [days],
  );
  return (
    <section aria-labelledby="stages">
      <h2 id="stages">{t('overview.stages')}</h2>
      <form
        class="filters"
        aria-label={t('overview.stages')}
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(draft);
          if (Number.isInteger(n) && n >= 1)
            setSearch({ ...Object.fromEntries(params), stalledAfterDays: n === 14 ? undefined : String(n) });
        }}
      >
        <label>
          {t('overview.stalledAfter')}
          <input
            type="number"
            min={1}
            max={3650}
            required
            value={draft}
            onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">{t('report.show')}</button>
      </form>
      <Loaded load={load} retry={reload}>
        {(report) => (
          <>
            <p>{t('overview.total', { total: number(report.total) })}</p>
            <StalledSummary stages={report.stages} days={report.stalledAfterDays} />
            <BarChart
              id="stages-chart"
              title={t('overview.stagesChart')}
              unit={t('overview.stagesUnit')}
              categories={report.stages.map((s) => ({ key: s.stage, label: stageLabel(t, s.stage) }))}
              series={[
                { key: 'customers', label: t('overview.inStage') },
                {
                  key: 'stalled',
                  label: t(plural(report.stalledAfterDays, 'overview.stalledOne', 'overview.stalled'), {
                    days: report.stalledAfterDays,
                  }),
                },
              ]}
              // A stalled count of 0 under every bar read as noise: only a count > 0, named.
              valueText={(series, v) =>
                series === 'stalled' ? (v > 0 ? t('overview.stalledNote', { n: number(v) }) : '') : number(v)
              }
              value={(stage, series) => {
                const row = report.stages.find((s) => s.stage === stage);
                return row ? (series === 'stalled' ? row.stalled : row.customers) : 0;
              }}
            />
            <TableWrap label={t('overview.stages')}>
              <table aria-labelledby="stages">
                <thead>
                  <tr>
                    <th scope="col">{t('overview.stage')}</th>
                    <th scope="col" class="num">
                      {t('overview.inStage')}
                    </th>
                    <th scope="col" class="num">
                      {t(plural(report.stalledAfterDays, 'overview.stalledOne', 'overview.stalled'), {
                        days: report.stalledAfterDays,
                      })}
                    </th>
                    <th scope="col" class="num">
                      {t('overview.medianDays')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.stages.map((s) => (
                    <tr key={s.stage} data-stage={s.stage}>
                      <th scope="row">{stageLabel(t, s.stage)}</th>
                      <td class="num">{number(s.customers)}</td>
                      <td class="num">{number(s.stalled)}</td>
                      <td class="num">{s.medianDaysInStage === null ? '–' : number(s.medianDaysInStage)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <Freshness asOf={report.asOf} lagSeconds={report.lagSeconds} />
          </>
        )}
      </Loaded>
    </section>
  );
}

interface FunnelQuery {
  from: string;
  to: string;
  windowDays: number;
  by: By;
  cohort: CohortSize;
}

const groupLabel = (t: Translate, key: FunnelGroup['key']) =>
  key
    ? Object.entries(key)
        .map(([dimension, value]) => acquisitionLabel(t, dimension, String(value)))
        .join(' / ')
    : t('overview.allCustomers');

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const BYS: readonly By[] = ['none', 'channel', 'campaign', 'cohort'];

/** The funnel asked for in the address (`?from=…&windowDays=14&by=channel`), else the defaults. */
export function funnelQueryFrom(params: URLSearchParams, today: Date): FunnelQuery {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const windowDays = Number(params.get('windowDays'));
  const by = params.get('by') as By;
  return {
    from: DAY.test(from) ? from : isoDay(today, -30),
    to: DAY.test(to) ? to : isoDay(today, 1),
    windowDays: Number.isInteger(windowDays) && windowDays >= 1 && windowDays <= 365 ? windowDays : 30,
    by: BYS.includes(by) ? by : 'none',
    cohort: params.get('cohort') === 'month' ? 'month' : 'week',
  };
}

function Funnel() {
  const { t } = useI18n();
  const params = useSearch();
  const query = funnelQueryFrom(params, new Date());
  const queryKey = JSON.stringify(query);
  const [draft, setDraft] = useState(query);
  // Back and forward change the address: the form follows it.
  useEffect(() => setDraft(query), [queryKey]);
  const set = (patch: Partial<FunnelQuery>) => setDraft({ ...draft, ...patch });
  const [load, reload] = useLoad(
    () => call(() => api.GET('/v1/analytics/funnel', { params: { query } })),
    [queryKey],
  );
  const [cohorts, reloadCohorts] = useLoad(
    () =>
      call(() =>
        api.GET('/v1/analytics/funnel', {
          params: { query: { ...query, by: 'cohort', cohort: query.cohort } },
        }),
      ),
    [query.from, query.to, query.windowDays, query.cohort],
  );
  return (
    <>
      <section aria-labelledby="funnel">
        <h2 id="funnel">{t('overview.funnel')}</h2>
        <form
          class="filters"
          aria-label={t('overview.funnel')}
          onSubmit={(e) => {
            e.preventDefault();
            // The stages' own setting stays in the address beside the funnel's.
            setSearch({
              ...Object.fromEntries(params),
              from: draft.from,
              to: draft.to,
              windowDays: String(draft.windowDays),
              by: draft.by,
              cohort: draft.cohort,
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
            {t('overview.window')}
            <input
              type="number"
              min={1}
              max={365}
              required
              value={draft.windowDays}
              onInput={(e) => set({ windowDays: Number(value(e)) })}
            />
          </label>
          <label>
            {t('overview.by')}
            <select value={draft.by} onChange={(e) => set({ by: value(e) as By })}>
              {(['none', 'channel', 'campaign', 'cohort'] as const).map((b) => (
                <option key={b} value={b}>
                  {t(`overview.by.${b}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('overview.cohort')}
            <select value={draft.cohort} onChange={(e) => set({ cohort: value(e) as CohortSize })}>
              {(['week', 'month'] as const).map((c) => (
                <option key={c} value={c}>
                  {t(`overview.cohort.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{t('report.show')}</button>
        </form>
        <Loaded load={load} retry={reload}>
          {(report) =>
            report.groups.every((g) => g.customers === 0) ? (
              <Empty>{t('overview.noCustomers')}</Empty>
            ) : (
              <>
                <WindowNote to={report.to} windowDays={report.windowDays} />
                {report.groups.map((group, i) => (
                  <FunnelGroupView key={groupLabel(t, group.key)} group={group} index={i} report={report} />
                ))}
                <Freshness asOf={report.asOf} lagSeconds={report.lagSeconds} />
              </>
            )
          }
        </Loaded>
      </section>
      <section aria-labelledby="cohorts">
        <h2 id="cohorts">{t('overview.cohorts')}</h2>
        <p>{t('overview.cohortsIntro')}</p>
        <Loaded load={cohorts} retry={reloadCohorts}>
          {(report) =>
            report.groups.length === 0 ? (
              <Empty>{t('overview.noCustomers')}</Empty>
            ) : (
              <CohortTable report={report} />
            )
          }
        </Loaded>
      </section>
    </>
  );
}

/** Says when some customers' windows are still open, so a late step's drop-off is not final. */
function WindowNote(props: { to: string; windowDays: number }) {
  const { t } = useI18n();
  const from = openWindowsFrom(props.to, props.windowDays, Date.now());
  if (!from) return null;
  return (
    <p class="hint" data-note="open-windows">
      {t('overview.openWindows', { days: props.windowDays, from })}
      {isLocalHost(location.hostname) ? ` ${t('overview.timeScaleHint')}` : null}
    </p>
  );
}

const value = (e: Event) => (e.target as HTMLInputElement).value;

function FunnelGroupView(props: { group: FunnelGroup; index: number; report: FunnelReport }) {
  const { t, number, percent } = useI18n();
  const { group, report } = props;
  const label = groupLabel(t, group.key);
  const id = `funnel-${props.index}`;
  return (
    // data-group is the API's key ("direct"), the heading its words ("Direct (no channel)").
    <section aria-labelledby={id} data-group={group.key ? Object.values(group.key).join(' / ') : 'all'}>
      <h3 id={id}>
        {t(plural(group.customers, 'overview.groupCustomers.one', 'overview.groupCustomers.other'), {
          group: label,
          customers: number(group.customers),
        })}
      </h3>
      <BarChart
        id={`${id}-chart`}
        title={t('overview.funnelChart', { group: label, days: report.windowDays })}
        unit={t('overview.funnelUnit')}
        categories={group.steps.map((s) => ({ key: s.stage, label: stageLabel(t, s.stage) }))}
        series={[{ key: 'reached', label: t('overview.reached') }]}
        value={(stage) => group.steps.find((s) => s.stage === stage)?.reached ?? 0}
        note={(stage) => {
          const at = group.steps.findIndex((s) => s.stage === stage);
          const step = group.steps[at];
          // The first step has no step before it to drop off from.
          if (at <= 0 || step.dropOff === 0) return '';
          const before = step.reached + step.dropOff;
          return t('overview.dropNote', {
            n: number(step.dropOff),
            share: percent(before ? step.dropOff / before : null),
          });
        }}
      />
      <TableWrap label={label}>
        <table aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">{t('overview.stage')}</th>
              <th scope="col" class="num">
                {t('overview.reached')}
              </th>
              <th scope="col" class="num">
                {t('overview.dropOff')}
              </th>
              <th scope="col" class="num">
                {t('overview.fromPrevious')}
              </th>
              <th scope="col" class="num">
                {t('overview.fromFirst')}
              </th>
              <th scope="col" class="num">
                {t('overview.medianHours')}
              </th>
            </tr>
          </thead>
          <tbody>
            {group.steps.map((s, i) => (
              <tr key={s.stage} data-stage={s.stage}>
                <th scope="row">{stageLabel(t, s.stage)}</th>
                <td class="num">{number(s.reached)}</td>
                <td class="num">{i === 0 ? '–' : number(s.dropOff)}</td>
                <td class="num">{i === 0 ? '–' : percent(s.conversionFromPrevious)}</td>
                <td class="num">{percent(s.conversionFromFirst)}</td>
                <td class="num">{s.medianHoursToReach === null ? '–' : number(s.medianHoursToReach)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
