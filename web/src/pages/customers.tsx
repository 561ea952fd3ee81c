import { useEffect, useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { operations } from '../api/schema';
import { PAGE_SIZES, Pager, useCursorPages } from '../components/pager';
import { Empty, Link, Loaded, TableWrap, useLoad } from '../components/ui';
import { plural, useI18n } from '../i18n';
import { acquisitionLabel, stageLabel } from '../labels';
import { navigate, setSearch as setSearchParams, useSearch } from '../router';

type Query = NonNullable<operations['listCustomers']['parameters']['query']>;
/** One list at a time, as GET /v1/customers takes one filter at a time; `recent` has none. */
type ListBy = 'recent' | 'stage' | 'channel' | 'campaign' | 'email';
interface List {
  by: ListBy;
  value: string;
  limit: number;
  /** A stage's stalled customers only: in it longer than this many days (the overview's link). */
  stalledAfterDays?: number;
}

/**
 * Find a customer by email (exact, case-insensitive) or id, or list them by stage, acquisition
 * channel or campaign; the most recently active by default. Rows open the customer page.
 */
export function CustomersPage() {
  const { t } = useI18n();
  const [search, setSearch] = useState('');
  // The list shown is in the address (`?list=stage&value=decide&limit=25`): reload, back and a
  // shared link show the same list.
  const list = listFrom(useSearch());
  const listKey = JSON.stringify(list);
  const [limit, setLimit] = useState(list.limit);
  const [by, setBy] = useState<Exclude<ListBy, 'email'>>(list.by === 'email' ? 'recent' : list.by);
  const [value, setValue] = useState(list.by === 'email' ? '' : list.value);
  // A stage list's stalled threshold (the overview's links set it): a field, kept by Show.
  const [stalled, setStalled] = useState(stalledText(list));
  const pages = useCursorPages();
  // Back and forward: the form follows the address, and the old cursors belong to another list.
  useEffect(() => {
    setLimit(list.limit);
    if (list.by !== 'email') {
      setBy(list.by);
      setValue(list.value);
      setStalled(stalledText(list));
    }
    pages.reset();
  }, [listKey]);
  // The stages this deployment's journey model has, for the stage list's choices.
  const [stages] = useLoad(
    async () => (await call(() => api.GET('/v1/analytics/stages'))).stages.map((s) => s.stage),
    [],
  );
  const show = (next: List) => {
    pages.reset();
    setSearchParams({
      list: next.by === 'recent' ? undefined : next.by,
      value: next.value || undefined,
      limit: next.limit === 50 ? undefined : String(next.limit),
      stalledAfterDays: next.stalledAfterDays === undefined ? undefined : String(next.stalledAfterDays),
    });
  };

  return (
    <section>
      <h1>{t('customers.heading')}</h1>
      <search>
        <form
          aria-label={t('customers.findForm')}
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const q = search.trim();
            if (!q) return;
            // An address is looked up among all customers; anything else is a customer id.
            if (q.includes('@')) show({ by: 'email', value: q, limit });
            else navigate(`customers/${q}`);
          }}
        >
          <label for="customer-id">{t('customers.lookup')}</label>
          <input
            id="customer-id"
            required
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
          <button type="submit">{t('customers.find')}</button>
        </form>
      </search>
      <form
        aria-label={t('customers.listForm')}
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (by === 'recent') show({ by, value: '', limit });
          else if (by === 'stage' && value && stalled.trim())
            show({ by, value, limit, stalledAfterDays: Number(stalled.trim()) });
          else if (value.trim()) show({ by, value: value.trim(), limit });
        }}
      >
        <div class="field">
          <label for="customers-list-by">{t('customers.listBy')}</label>
          <select
            id="customers-list-by"
            value={by}
            onChange={(e) => {
              setBy((e.target as HTMLSelectElement).value as typeof by);
              setValue('');
              setStalled('');
            }}
          >
            {(['recent', 'stage', 'channel', 'campaign'] as const).map((b) => (
              <option key={b} value={b}>
                {t(`customers.by.${b}`)}
              </option>
            ))}
          </select>
        </div>
        {by === 'stage' ? (
          <div class="field">
            <label for="customers-stage">{t('customers.stage')}</label>
            <select
              id="customers-stage"
              required
              value={value}
              onChange={(e) => setValue((e.target as HTMLSelectElement).value)}
            >
              <option value="">{t('customers.pickStage')}</option>
              {(stages.state === 'ready' ? stages.data : []).map((s) => (
                <option key={s} value={s}>
                  {stageLabel(t, s)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {by === 'stage' ? (
          <div class="field">
            <label for="customers-stalled">{t('customers.stalledAfter')}</label>
            {/* The API's range (1 to 3650 days); the browser says what is wrong before Show. */}
            <input
              id="customers-stalled"
              type="number"
              inputMode="numeric"
              min={1}
              max={3650}
              step={1}
              value={stalled}
              aria-describedby="customers-stalled-hint"
              onInput={(e) => setStalled((e.target as HTMLInputElement).value)}
            />
            <span id="customers-stalled-hint" class="hint">
              {t('customers.stalledHint')}
            </span>
          </div>
        ) : by === 'channel' || by === 'campaign' ? (
          <label>
            {t(`customers.${by}Value`)}
            <input
              required
              value={value}
              aria-describedby={`${by}-hint`}
              onInput={(e) => setValue((e.target as HTMLInputElement).value)}
            />
            <span id={`${by}-hint`} class="hint">
              {t(`customers.${by}Hint`)}
            </span>
          </label>
        ) : null}
        <div class="field">
          <label for="customers-limit">{t('pager.size')}</label>
          <select
            id="customers-limit"
            value={String(limit)}
            onChange={(e) => setLimit(Number((e.target as HTMLSelectElement).value))}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('report.show')}</button>
      </form>
      <CustomerList list={list} pages={pages} />
    </section>
  );
}

/** The threshold as the field shows it: empty for every customer of the stage. */
const stalledText = (list: List): string =>
  list.stalledAfterDays === undefined ? '' : String(list.stalledAfterDays);

const LISTS: readonly ListBy[] = ['recent', 'stage', 'channel', 'campaign', 'email'];

/** The list in the address, else the most recently active 50. */
export function listFrom(params: URLSearchParams): List {
  const by = params.get('list') ?? 'recent';
  const value = (params.get('value') ?? '').trim();
  const limit = Number(params.get('limit'));
  const size = (PAGE_SIZES as readonly number[]).includes(limit) ? limit : 50;
  if (!LISTS.includes(by as ListBy) || by === 'recent' || !value)
    return { by: 'recent', value: '', limit: size };
  const stalled = Number(params.get('stalledAfterDays'));
  if (by === 'stage' && Number.isInteger(stalled) && stalled >= 1 && stalled <= 3650)
    return { by, value, limit: size, stalledAfterDays: stalled };
  return { by: by as ListBy, value, limit: size };
}

function CustomerList(props: { list: List; pages: ReturnType<typeof useCursorPages> }) {
  const { t, date } = useI18n();
  const { list } = props;
  const [load, reload] = useLoad(async () => {
    const query: Query = { limit: list.limit };
    if (list.by !== 'recent') query[list.by] = list.value;
    if (list.stalledAfterDays !== undefined) query.stalledAfterDays = list.stalledAfterDays;
    if (props.pages.cursor) query.cursor = props.pages.cursor;
    return call(() => api.GET('/v1/customers', { params: { query } }));
  }, [list, props.pages.cursor]);
  const title =
    list.by === 'recent'
      ? t('customers.title.recent')
      : list.stalledAfterDays !== undefined
        ? t(plural(list.stalledAfterDays, 'customers.title.stalled.one', 'customers.title.stalled.other'), {
            stage: stageLabel(t, list.value),
            days: list.stalledAfterDays,
          })
        : t(`customers.title.${list.by}`, {
            value:
              list.by === 'stage'
                ? stageLabel(t, list.value)
                : list.by === 'campaign' || list.by === 'channel'
                  ? acquisitionLabel(t, list.by, list.value)
                  : list.value,
          });

  return (
    <section
      aria-labelledby="customer-list-heading"
      data-list={list.by}
      data-stalled-after={list.stalledAfterDays}
    >
      <h2 id="customer-list-heading">{title}</h2>
      {/* The index sorts by the hour of last activity (`<hour>#<id>`), not the instant. */}
      {list.by === 'recent' || list.by === 'stage' ? (
        <p class="hint" data-order-note>
          {t('customers.orderNote')}
        </p>
      ) : null}
      <Loaded load={load} retry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <Empty>
                {list.by === 'email' ? (
                  <>
                    {t('customers.noEmail', { email: list.value })}{' '}
                    <Link to={`customers/${list.value}`}>{t('customers.tryId', { id: list.value })}</Link>
                  </>
                ) : (
                  t('customers.empty')
                )}
              </Empty>
            ) : (
              <TableWrap label={title}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('customers.customer')}</th>
                      <th scope="col">{t('customers.email')}</th>
                      <th scope="col">{t('customers.firstName')}</th>
                      <th scope="col">{t('customers.stage')}</th>
                      <th scope="col">{t('customers.since')}</th>
                      <th scope="col">{t('customers.acquisition')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((c) => (
                      <tr key={c.customerId} data-customer={c.customerId}>
                        <th scope="row">
                          <Link to={`customers/${c.customerId}`} class="id">
                            {c.customerId}
                          </Link>
                        </th>
                        <td class="id">{c.email ?? ''}</td>
                        <td>{c.firstName ?? ''}</td>
                        <td>{c.stage ? stageLabel(t, c.stage) : t('customer.noStage')}</td>
                        <td>
                          {c.stageSince ? <time dateTime={c.stageSince}>{date(c.stageSince)}</time> : ''}
                        </td>
                        <td>
                          {c.acquisition
                            ? [c.acquisition.channel, c.acquisition.campaign?.name]
                                .filter(Boolean)
                                .join(' · ')
                            : ''}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
            <Pager
              label={t('customers.pages')}
              page={props.pages.page}
              nextCursor={page.nextCursor}
              onNext={props.pages.next}
              onPrevious={props.pages.previous}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}
