import { useEffect, useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { components, operations } from '../api/schema';
import { DayInput } from '../components/day-input';
import { PAGE_SIZES, Pager, useCursorPages } from '../components/pager';
import { Empty, Link, Loaded, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { reasonLabel } from '../labels';
import { setSearch, useSearch } from '../router';

type Query = NonNullable<operations['listMessages']['parameters']['query']>;
type Message = operations['listMessages']['responses'][200]['content']['application/json']['items'][number];
type Status = NonNullable<Query['status']>;
type ReasonCode = NonNullable<Message['reasonCode']>;
type Campaign = components['schemas']['Campaign'] & components['schemas']['CampaignInput'];

/**
 * What GET /v1/messages filters by (`status`: the send claim or the engagement headline), in
 * display order. `satisfies Record<…, true>` makes the type check fail when the API adds or drops
 * a value, so these lists cannot drift from lib/measurement/reason-codes.ts and the message log.
 */
const STATUSES = Object.keys({
  sent: true,
  delivered: true,
  opened: true,
  clicked: true,
  bounced: true,
  complained: true,
  rejected: true,
  suppressed: true,
  'held-out': true,
  failed: true,
  sending: true,
  retrying: true,
  unknown: true,
} satisfies Record<Status, true>) as Status[];
const REASON_CODES = Object.keys({
  'held-out': true,
  'global-control': true,
  stale: true,
  'campaign-paused': true,
  exit: true,
  unsubscribed: true,
  'opted-out': true,
  suppressed: true,
  'no-address': true,
  'invalid-address': true,
  'frequency-cap': true,
  'marketing-paused': true,
  unknown: true,
  'send-failed': true,
  'transient-error': true,
} satisfies Record<ReasonCode, true>) as ReasonCode[];

interface Filters {
  campaignId: string;
  status: string;
  reasonCode: string;
  from: string;
  to: string;
  limit: number;
}
const NO_FILTERS: Filters = { campaignId: '', status: '', reasonCode: '', from: '', to: '', limit: 50 };
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The filters in the address (`?campaignId=…&status=failed`): a reload, back and forward, and a
 * shared link (the campaigns list's failures link) show the same messages. Unknown values are dropped.
 */
export function filtersFrom(params: URLSearchParams): Filters {
  const get = (name: string) => params.get(name) ?? '';
  const limit = Number(get('limit'));
  return {
    campaignId: get('campaignId'),
    status: (STATUSES as string[]).includes(get('status')) ? get('status') : '',
    reasonCode: (REASON_CODES as string[]).includes(get('reasonCode')) ? get('reasonCode') : '',
    from: DAY.test(get('from')) ? get('from') : '',
    to: DAY.test(get('to')) ? get('to') : '',
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : NO_FILTERS.limit,
  };
}

/** The message log across customers, newest first, with the API's filters and cursor paging. */
export function MessagesPage() {
  const { t, date, number } = useI18n();
  const applied = filtersFrom(useSearch());
  const appliedKey = JSON.stringify(applied);
  const [form, setForm] = useState<Filters>(applied);
  const pages = useCursorPages();
  // Back and forward: the form follows the address; old cursors belong to other filters.
  useEffect(() => {
    setForm(applied);
    pages.reset();
  }, [appliedKey]);
  const [campaigns] = useLoad(
    async () => (await call(() => api.GET('/v1/campaigns'))).items as Campaign[],
    [],
  );
  const names = new Map(
    campaigns.state === 'ready' ? campaigns.data.map((c) => [c.campaignId, c.name] as const) : [],
  );
  const [load, reload] = useLoad(async () => {
    const query: Query = { limit: applied.limit };
    if (applied.campaignId) query.campaignId = applied.campaignId;
    if (applied.status) query.status = applied.status as Status;
    if (applied.reasonCode) query.reasonCode = applied.reasonCode;
    if (applied.from) query.from = applied.from;
    if (applied.to) query.to = applied.to;
    if (pages.cursor) query.cursor = pages.cursor;
    return call(() => api.GET('/v1/messages', { params: { query } }));
  }, [appliedKey, pages.cursor]);
  const set = (name: keyof Filters) => (e: Event) =>
    setForm({ ...form, [name]: (e.target as HTMLInputElement | HTMLSelectElement).value });

  return (
    <section>
      <h1>{t('messages.heading')}</h1>
      <p class="hint">{t('messages.intro')}</p>
      <search>
        <form
          class="filters"
          aria-label={t('messages.filters')}
          onSubmit={(e) => {
            e.preventDefault();
            pages.reset();
            setSearch({
              campaignId: form.campaignId,
              status: form.status,
              reasonCode: form.reasonCode,
              from: form.from,
              to: form.to,
              limit: Number(form.limit) === NO_FILTERS.limit ? undefined : String(form.limit),
            });
          }}
        >
          <div class="field">
            <label for="messages-campaign">{t('messages.campaign')}</label>
            <select id="messages-campaign" value={form.campaignId} onChange={set('campaignId')}>
              <option value="">{t('messages.allCampaigns')}</option>
              {campaigns.state === 'ready'
                ? campaigns.data.map((c) => (
                    <option key={c.campaignId} value={c.campaignId}>
                      {c.name}
                    </option>
                  ))
                : null}
            </select>
          </div>
          <div class="field">
            <label for="messages-status">{t('common.status')}</label>
            <select id="messages-status" value={form.status} onChange={set('status')}>
              <option value="">{t('messages.anyStatus')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`messageStatus.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="messages-reason">{t('messages.reasonCode')}</label>
            <select id="messages-reason" value={form.reasonCode} onChange={set('reasonCode')}>
              <option value="">{t('messages.anyReason')}</option>
              {REASON_CODES.map((r) => (
                <option key={r} value={r}>
                  {reasonLabel(t, r)}
                </option>
              ))}
            </select>
          </div>
          <label>
            {t('messages.from')}
            <DayInput value={form.from} onInput={set('from')} />
          </label>
          <label>
            {t('messages.to')}
            <DayInput value={form.to} onInput={set('to')} />
          </label>
          <div class="field">
            <label for="messages-limit">{t('pager.size')}</label>
            <select id="messages-limit" value={String(form.limit)} onChange={set('limit')}>
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('report.show')}</button>
        </form>
      </search>
      <Loaded load={load} retry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <Empty>{t('messages.empty')}</Empty>
            ) : (
              <TableWrap label={t('messages.heading')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('customer.when')}</th>
                      <th scope="col">{t('messages.customer')}</th>
                      <th scope="col">{t('messages.campaign')}</th>
                      <th scope="col">{t('customer.template')}</th>
                      <th scope="col">{t('common.status')}</th>
                      <th scope="col" class="num">
                        {t('messages.opens')}
                      </th>
                      <th scope="col" class="num">
                        {t('messages.clicks')}
                      </th>
                      <th scope="col">{t('messages.reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((m) => (
                      <tr
                        key={`${m.customerId}-${m.runId}-${m.step}`}
                        data-customer={m.customerId}
                        data-campaign={m.campaignId}
                        data-status={m.status}
                        data-engagement={m.engagement?.status ?? ''}
                        data-opens={m.engagement?.opens ?? 0}
                        data-clicks={m.engagement?.clicks ?? 0}
                      >
                        <td>
                          <time dateTime={m.at}>{date(m.at)}</time>
                        </td>
                        <td>
                          <Link to={`customers/${m.customerId}`} class="id">
                            {m.customerId}
                          </Link>
                          {m.to ? <div class="muted id">{m.to}</div> : null}
                        </td>
                        <td>
                          {names.get(m.campaignId) ?? m.campaignId}{' '}
                          <span class="muted">
                            {
                              // The log counts steps from 0; the campaign editor shows them from 1.
                              t('messages.stepOf', { step: m.step + 1, version: m.campaignVersion })
                            }
                          </span>
                        </td>
                        <td class="id">{m.template}</td>
                        <td>
                          {t(`messageStatus.${m.status}`)}
                          {m.engagement && m.engagement.status !== 'sent'
                            ? ` · ${t(`messageStatus.${m.engagement.status}`)}`
                            : ''}
                        </td>
                        <td class="num">
                          {number(m.engagement?.opens ?? 0)}
                          {m.engagement?.machineOpens ? (
                            <div class="muted">
                              {t('messages.machineOpens', { n: number(m.engagement.machineOpens) })}
                            </div>
                          ) : null}
                        </td>
                        <td class="num">{number(m.engagement?.clicks ?? 0)}</td>
                        <td>
                          {m.reasonCode ? (
                            <span data-reason-code={m.reasonCode}>{reasonLabel(t, m.reasonCode)}</span>
                          ) : null}
                          {m.reason ? <div class="muted">{m.reason}</div> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
            <Pager
              label={t('messages.pages')}
              page={pages.page}
              nextCursor={page.nextCursor}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}
