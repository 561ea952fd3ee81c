import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { type Notice, StatusNotice } from '../components/status-notice';
import { ErrorView, Link, Loaded, useLoad } from '../components/ui';
import { plural, type Translate, useI18n } from '../i18n';
import { navigate } from '../router';
import { canWrite, type Session } from '../session';
import { CampaignEditor, type Definition, definitionOf } from './campaign-editor';
import { changedBy } from './campaign-figures';
import { CampaignResults } from './campaign-results';
import { changeStatus, statusNotice } from './campaign-status';
import type { Campaign } from './campaigns';

const HISTORY = 10;

const loadTemplates = async () => (await call(() => api.GET('/v1/templates'))).items.map((i) => i.name);

/**
 * One campaign: its status (activate, pause), its results (lift, per-step figures), its
 * definition as a new version, and its version history with what changed and who changed it.
 */
export function CampaignPage(props: { campaignId: string; session: Session }) {
  const { t, date } = useI18n();
  const writable = canWrite(props.session);
  const [load, reload] = useLoad(async () => {
    const [campaign, templates] = await Promise.all([
      call(() =>
        api.GET('/v1/campaigns/{campaignId}', { params: { path: { campaignId: props.campaignId } } }),
      ),
      loadTemplates(),
    ]);
    return { campaign: campaign as Campaign, templates };
  }, [props.campaignId]);
  const [actionError, setActionError] = useState<unknown>(null);
  // A pause is one click, so it says what it did and offers to undo it.
  const [notice, setNotice] = useState<Notice | null>(null);

  const setStatus = async (to: 'activate' | 'pause', name: string) => {
    setActionError(null);
    try {
      await changeStatus(props.campaignId, to);
      setNotice(statusNotice(t, to, name, () => setStatus('activate', name)));
      reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <section>
      <p>
        <Link to="campaigns">{t('common.back')}</Link>
      </p>
      {writable ? <StatusNotice notice={notice} /> : null}
      <Loaded load={load} retry={reload}>
        {({ campaign, templates }) => {
          const save = async (definition: Definition) => {
            await call(() =>
              api.PUT('/v1/campaigns/{campaignId}', {
                params: { path: { campaignId: campaign.campaignId } },
                headers: { 'if-match': `"${campaign.version}"` },
                body: definition,
              }),
            );
            reload();
          };
          return (
            <>
              <h1>{t('campaign.heading', { name: campaign.name })}</h1>
              <p>
                <span class={`badge ${campaign.status}`}>{t(`status.${campaign.status}`)}</span>{' '}
                {t('common.version')} {campaign.version}
                {writable ? (
                  <>
                    {' '}
                    {campaign.status === 'active' ? (
                      <button type="button" onClick={() => setStatus('pause', campaign.name)}>
                        {t('campaign.pause')}
                      </button>
                    ) : (
                      <button type="button" onClick={() => setStatus('activate', campaign.name)}>
                        {t('campaign.activate')}
                      </button>
                    )}
                  </>
                ) : null}
              </p>
              <p class="state">
                {t('campaign.statusSince', {
                  status: t(`status.${campaign.status}`),
                  at: date(campaign.updatedAt),
                  who: changedBy(t, campaign),
                })}
              </p>
              {actionError ? <ErrorView error={actionError} /> : null}
              <CampaignResults campaignId={campaign.campaignId} />
              <CampaignEditor
                initial={definitionOf(campaign)}
                templates={templates}
                writable={writable}
                submitLabel={t('campaign.saveVersion')}
                onSubmit={save}
              />
              <History campaign={campaign} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/** Creates a draft from a flow: a copy of that flow's first campaign, changed before it is saved. */
export function NewCampaignPage(props: { session: Session }) {
  const { t } = useI18n();
  const writable = canWrite(props.session);
  const [load, reload] = useLoad(async () => {
    const [campaigns, templates] = await Promise.all([call(() => api.GET('/v1/campaigns')), loadTemplates()]);
    return { bases: campaigns.items as Campaign[], templates };
  }, []);
  const [flow, setFlow] = useState<string | null>(null);
  return (
    <section>
      <p>
        <Link to="campaigns">{t('common.back')}</Link>
      </p>
      <h1>{t('newCampaign.heading')}</h1>
      <p>{t('newCampaign.intro')}</p>
      <Loaded load={load} retry={reload}>
        {({ bases, templates }) => {
          // One starting point per flow: its default campaign when there is one, else the oldest.
          const byFlow = new Map<string, Campaign>();
          const seededFirst = [...bases].sort(
            (a, b) =>
              Number(b.campaignId.startsWith('default-')) - Number(a.campaignId.startsWith('default-')) ||
              a.createdAt.localeCompare(b.createdAt),
          );
          for (const c of seededFirst) if (!byFlow.has(c.flow)) byFlow.set(c.flow, c);
          const flows = [...byFlow.keys()].sort();
          const chosen = flow ?? flows[0];
          const base = chosen ? byFlow.get(chosen) : undefined;
          return (
            <>
              <label for="new-campaign-flow">{t('newCampaign.flow')}</label>
              <select
                id="new-campaign-flow"
                value={chosen}
                onChange={(e) => setFlow((e.target as HTMLSelectElement).value)}
              >
                {flows.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
              {base ? (
                <CampaignEditor
                  key={base.campaignId}
                  initial={{
                    ...definitionOf(base),
                    name: t('newCampaign.copyName', { name: base.name }),
                  }}
                  templates={templates}
                  writable={writable}
                  submitLabel={t('newCampaign.create')}
                  onSubmit={async (definition) => {
                    const created = await call(() =>
                      api.POST('/v1/campaigns', { body: { ...definition, status: 'draft' } }),
                    );
                    navigate(`campaigns/${(created as Campaign).campaignId}`);
                  }}
                />
              ) : (
                <p class="state empty">{t('newCampaign.noBase')}</p>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

const FIELDS = [
  'name',
  'trigger',
  'steps',
  'audience',
  'exit',
  'holdoutPercent',
  'goal',
  'conversionWindowDays',
  'freshnessHours',
] as const;

/** The definition fields that differ between two versions, in words. */
function changes(t: Translate, version: Campaign, previous: Campaign | undefined): string {
  if (!previous) return t('campaign.historyFirst');
  const changed = FIELDS.filter(
    (f) => JSON.stringify(version[f] ?? null) !== JSON.stringify(previous[f] ?? null),
  );
  return changed.length
    ? t('campaign.historyChanged', { fields: changed.map((f) => t(`field.${f}`)).join(', ') })
    : t('campaign.historySame');
}

type StatusChange = { at: string; from: string; to: string; by?: string };

/**
 * The last versions and the activations and pauses between them, newest first: each version with
 * what changed against the one before and who made it, each status change with who and when
 * (a status change makes no version; the API keeps it as its own record).
 */
function History(props: { campaign: Campaign }) {
  const { t, date } = useI18n();
  const { campaignId, version } = props.campaign;
  const [load, reload] = useLoad(async () => {
    // One more than shown, so the oldest shown has a version to compare with.
    const wanted = Array.from({ length: Math.min(version, HISTORY + 1) }, (_, i) => version - i);
    const [versions, changes] = await Promise.all([
      Promise.all(
        wanted.map(
          async (v) =>
            (await call(() =>
              api.GET('/v1/campaigns/{campaignId}', {
                params: { path: { campaignId }, query: { version: v } },
              }),
            )) as Campaign,
        ),
      ),
      call(() =>
        api.GET('/v1/campaigns/{campaignId}/status-changes', { params: { path: { campaignId } } }),
      ).then((r) => r.items as StatusChange[]),
    ]);
    return { versions, changes };
  }, [campaignId, version, props.campaign.updatedAt, props.campaign.status]);
  return (
    <section aria-labelledby="history">
      <h2 id="history">{t('campaign.history')}</h2>
      <Loaded load={load} retry={reload}>
        {({ versions, changes: statusChanges }) => {
          const shown = versions.slice(0, HISTORY);
          // Status changes since the oldest version shown, interleaved by time.
          const oldest = shown.at(-1)?.updatedAt ?? '';
          const entries = [
            ...shown.map((v, i) => ({ at: v.updatedAt, version: v, previous: versions[i + 1] })),
            ...statusChanges.filter((c) => c.at >= oldest).map((c) => ({ at: c.at, change: c })),
          ].sort((a, b) => b.at.localeCompare(a.at));
          return (
            <ol class="history">
              {entries.map((e) =>
                'change' in e && e.change ? (
                  <li key={`s-${e.at}`} data-status-change={e.change.to}>
                    {t(`campaign.statusChange.${e.change.to as 'active' | 'paused' | 'draft'}`, {
                      who: changedBy(t, { campaignId, version: 0, updatedBy: e.change.by }),
                      at: date(e.at),
                    })}
                  </li>
                ) : 'version' in e && e.version ? (
                  <li key={e.version.version} data-version={e.version.version}>
                    <strong>{t('campaign.historyRow', { version: e.version.version })}</strong> ·{' '}
                    {date(e.version.updatedAt)} · {t('campaign.historyBy', { who: changedBy(t, e.version) })}{' '}
                    · {changes(t, e.version, e.previous)} ·{' '}
                    {t(plural(e.version.steps.length, 'campaign.stepsSummaryOne', 'campaign.stepsSummary'), {
                      count: e.version.steps.length,
                      templates: e.version.steps.map((s) => s.template).join(', '),
                    })}
                  </li>
                ) : null,
              )}
            </ol>
          );
        }}
      </Loaded>
    </section>
  );
}
