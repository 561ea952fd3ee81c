import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { Empty, ErrorView, Link, Loaded, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { canWrite, type Session } from '../session';

/** A campaign as the API returns it: the stored version plus its definition. */
export type Campaign = components['schemas']['Campaign'] & components['schemas']['CampaignInput'];

/** Campaign list with status; marketers activate and pause from here. */
export function CampaignsPage(props: { session: Session }) {
  const { t, date } = useI18n();
  const [load, reload] = useLoad(
    async () => (await call(() => api.GET('/v1/campaigns'))).items as Campaign[],
    [],
  );
  const [actionError, setActionError] = useState<unknown>(null);
  const writable = canWrite(props.session);

  const change = async (c: Campaign, to: 'activate' | 'pause') => {
    setActionError(null);
    try {
      const path =
        to === 'activate' ? '/v1/campaigns/{campaignId}/activate' : '/v1/campaigns/{campaignId}/pause';
      await call(() => api.POST(path, { params: { path: { campaignId: c.campaignId } } }));
      reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <section>
      <h1>{t('campaigns.heading')}</h1>
      {actionError ? <ErrorView error={actionError} /> : null}
      <Loaded load={load} retry={reload}>
        {(items) =>
          items.length === 0 ? (
            <Empty>{t('campaigns.empty')}</Empty>
          ) : (
            <TableWrap label={t('campaigns.heading')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('common.name')}</th>
                    <th scope="col">{t('campaigns.flow')}</th>
                    <th scope="col">{t('common.status')}</th>
                    <th scope="col">{t('common.version')}</th>
                    <th scope="col">{t('common.updated')}</th>
                    <th scope="col">{t('common.updatedBy')}</th>
                    {writable ? <th scope="col">{t('common.actions')}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {[...items]
                    .sort((a, b) => a.name.localeCompare(b.name))
                    .map((c) => (
                      <tr key={c.campaignId}>
                        <th scope="row">
                          <Link to={`campaigns/${c.campaignId}`}>{c.name}</Link>
                        </th>
                        <td>{c.flow}</td>
                        <td>
                          <span class={`badge ${c.status}`}>{t(`status.${c.status}`)}</span>
                        </td>
                        <td>{c.version}</td>
                        <td>{date(c.updatedAt)}</td>
                        <td>{c.updatedBy ?? t('common.unknownUser')}</td>
                        {writable ? (
                          <td>
                            {c.status === 'active' ? (
                              <button type="button" onClick={() => change(c, 'pause')}>
                                {t('campaigns.pause', { name: c.name })}
                              </button>
                            ) : (
                              <button type="button" onClick={() => change(c, 'activate')}>
                                {t('campaigns.activate', { name: c.name })}
                              </button>
                            )}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loaded>
    </section>
  );
}
