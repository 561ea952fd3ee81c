import { useState } from 'preact/hooks';
import { ApiError, api, call } from '../api/client';
import { Empty, ErrorView, Link, Loaded, Notice, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { messageStatusLabel, stageLabel } from '../labels';
import { canWrite, type Session } from '../session';

/** One customer: stage timeline, touchpoints, messages, consent; export and erase. */
export function CustomerPage(props: { customerId: string; session: Session }) {
  const { t, date } = useI18n();
  const [erased, setErased] = useState(false);
  const customerId = props.customerId;
  const path = { params: { path: { customerId } } };
  const [load, reload] = useLoad(async () => {
    const [customer, transitions, touchpoints, data] = await Promise.all([
      call(() => api.GET('/v1/customers/{customerId}', path)),
      call(() => api.GET('/v1/customers/{customerId}/transitions', path)),
      call(() =>
        api.GET('/v1/customers/{customerId}/touchpoints', {
          params: { path: { customerId }, query: { limit: 50 } },
        }),
      ),
      // The export carries consent, suppression and the message log in one read.
      call(() => api.GET('/v1/customers/{customerId}/export', path)),
    ]);
    return { customer, transitions: transitions.items ?? [], touchpoints: touchpoints.items, data };
  }, [customerId]);

  if (erased) {
    return (
      <section>
        <h1 class="id">{t('customer.heading', { id: customerId })}</h1>
        <Notice kind="ok">{t('customer.erased', { id: customerId })}</Notice>
        <Link to="customers">{t('common.back')}</Link>
      </section>
    );
  }
  if (load.state === 'error' && load.error instanceof ApiError && load.error.failure.kind === 'not-found') {
    return (
      <section>
        <h1 class="id">{t('customer.heading', { id: customerId })}</h1>
        <Empty>{t('customers.notFound', { id: customerId })}</Empty>
        <Link to="customers">{t('common.back')}</Link>
      </section>
    );
  }

  return (
    <section>
      <p>
        <Link to="customers">{t('common.back')}</Link>
      </p>
      <h1 class="id">{t('customer.heading', { id: customerId })}</h1>
      <Loaded load={load} retry={reload}>
        {({ customer, transitions, touchpoints, data }) => (
          <>
            <p>
              {customer.stage
                ? t('customer.stage', {
                    stage: stageLabel(t, customer.stage),
                    since: date(customer.stageSince),
                  })
                : t('customer.noStage')}
            </p>
            <h2>{t('customer.timeline')}</h2>
            {transitions.length === 0 ? (
              <Empty />
            ) : (
              <ol class="timeline">
                {transitions.map((tr) => (
                  <li key={`${tr.at}-${tr.to}`}>
                    <time dateTime={tr.at}>{date(tr.at)}</time>{' '}
                    {t('customer.transition', {
                      from: tr.from ? stageLabel(t, tr.from) : t('customer.start'),
                      to: stageLabel(t, tr.to),
                    })}
                  </li>
                ))}
              </ol>
            )}
            <h2>{t('customer.consent')}</h2>
            <ul>
              <li>
                {data.consent.unsubscribedAt
                  ? t('customer.unsubscribed', {
                      at: date(data.consent.unsubscribedAt),
                      method: data.consent.method ?? '',
                    })
                  : t('customer.subscribed')}
              </li>
              <li>
                <OptOut traits={customer.traits} touchpoints={touchpoints} trait="marketingConsent" />
              </li>
              {withdrawn(customer.traits.emailConsent) ? (
                <li>
                  <OptOut traits={customer.traits} touchpoints={touchpoints} trait="emailConsent" />
                </li>
              ) : null}
              <li>
                {data.suppression?.at
                  ? t('customer.suppressed', {
                      at: date(data.suppression.at),
                      reason: data.suppression.reason ?? '',
                    })
                  : t('customer.notSuppressed')}
              </li>
            </ul>
            <h2>{t('customer.touchpoints')}</h2>
            {touchpoints.length === 0 ? (
              <Empty />
            ) : (
              <TableWrap label={t('customer.touchpoints')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('customer.when')}</th>
                      <th scope="col">{t('customer.event')}</th>
                      <th scope="col">{t('customer.channel')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {touchpoints.map((tp) => (
                      <tr key={tp.messageId}>
                        <td>{date(tp.timestamp)}</td>
                        <td>{tp.event}</td>
                        <td>{tp.channel ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
            <h2>{t('customer.messages')}</h2>
            {data.messages.length === 0 ? (
              <Empty />
            ) : (
              <TableWrap label={t('customer.messages')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('customer.when')}</th>
                      <th scope="col">{t('customer.template')}</th>
                      <th scope="col">{t('common.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.messages.map((m) => (
                      <tr key={`${m.runId}-${m.step}`}>
                        <td>{date(m.at)}</td>
                        <td class="id">{m.template}</td>
                        <td data-status={m.status}>{messageStatusLabel(t, m.status)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )}
            <p>
              <a
                download={`${customerId}.json`}
                href={URL.createObjectURL(
                  new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
                )}
              >
                {t('customer.export')}
              </a>
            </p>
            {canWrite(props.session) ? (
              <Erase customerId={customerId} onErased={() => setErased(true)} />
            ) : null}
          </>
        )}
      </Loaded>
    </section>
  );
}

/** Erasure asks the person to type the customer id, so it is never one stray click. */
function Erase(props: { customerId: string; onErased: () => void }) {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>(null);
  const erase = async (event: Event) => {
    event.preventDefault();
    try {
      await call(() =>
        api.DELETE('/v1/customers/{customerId}', { params: { path: { customerId: props.customerId } } }),
      );
      props.onErased();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form onSubmit={erase} class="danger" aria-labelledby="erase">
      <h2 id="erase">{t('customer.erase')}</h2>
      <p>{t('customer.eraseWarning')}</p>
      <label>
        {t('customer.eraseConfirm', { id: props.customerId })}
        <input
          value={typed}
          autoComplete="off"
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit" disabled={typed !== props.customerId}>
        {t('customer.eraseButton')}
      </button>
      {error ? <ErrorView error={error} /> : null}
    </form>
  );
}

/** A consent trait counts as withdrawn only when it clearly says no (lib/consent/consent.ts). */
const withdrawn = (value: unknown) =>
  value === false ||
  value === 0 ||
  (typeof value === 'string' && ['false', 'no', 'off', '0', 'n'].includes(value.trim().toLowerCase()));

type Touchpoint = { timestamp: string; traits?: Record<string, unknown> };

/**
 * An opt-out sent as an identify trait (`marketingConsent` or `emailConsent` false), with the
 * time of the touchpoint that withdrew it when it is among the latest touchpoints shown.
 */
function OptOut(props: {
  traits: Record<string, unknown>;
  touchpoints: Touchpoint[];
  trait: 'marketingConsent' | 'emailConsent';
}) {
  const { t, date } = useI18n();
  if (!withdrawn(props.traits[props.trait])) {
    return <>{t('customer.notOptedOut')}</>;
  }
  let since: string | undefined;
  for (const tp of [...props.touchpoints].sort((a, b) => a.timestamp.localeCompare(b.timestamp))) {
    if (!tp.traits || !(props.trait in tp.traits)) continue;
    if (withdrawn(tp.traits[props.trait])) since ??= tp.timestamp;
    else since = undefined;
  }
  const all = props.trait === 'emailConsent';
  return (
    <>
      {since
        ? t(all ? 'customer.optedOutAllSince' : 'customer.optedOutSince', { at: date(since) })
        : t(all ? 'customer.optedOutAll' : 'customer.optedOut')}
    </>
  );
}
