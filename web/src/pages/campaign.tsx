import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, call } from '../api/client';
import { ErrorView, Link, Loaded, Notice, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { canWrite, type Session } from '../session';
import type { Campaign } from './campaigns';

const HISTORY = 10;

/** One campaign: edit steps, waits, templates and holdout (a new version); its version history. */
export function CampaignPage(props: { campaignId: string; session: Session }) {
  const { t } = useI18n();
  const [load, reload] = useLoad(async () => {
    const [campaign, templates] = await Promise.all([
      call(() =>
        api.GET('/v1/campaigns/{campaignId}', { params: { path: { campaignId: props.campaignId } } }),
      ),
      call(() => api.GET('/v1/templates')),
    ]);
    return { campaign: campaign as Campaign, templates: templates.items.map((i) => i.name) };
  }, [props.campaignId]);

  return (
    <section>
      <p>
        <Link to="campaigns">{t('common.back')}</Link>
      </p>
      <Loaded load={load} retry={reload}>
        {({ campaign, templates }) => (
          <>
            <h1>{t('campaign.heading', { name: campaign.name })}</h1>
            <p>
              <span class={`badge ${campaign.status}`}>{t(`status.${campaign.status}`)}</span>{' '}
              {t('common.version')} {campaign.version}
            </p>
            <CampaignEditor
              campaign={campaign}
              templates={templates}
              session={props.session}
              onSaved={reload}
            />
            <History campaign={campaign} />
          </>
        )}
      </Loaded>
    </section>
  );
}

type Step = Campaign['steps'][number];

function CampaignEditor(props: {
  campaign: Campaign;
  templates: string[];
  session: Session;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const writable = canWrite(props.session);
  const [steps, setSteps] = useState<Step[]>(props.campaign.steps);
  const [holdout, setHoldout] = useState(props.campaign.holdoutPercent);
  const [outcome, setOutcome] = useState<'saved' | unknown>(null);
  useEffect(() => {
    setSteps(props.campaign.steps);
    setHoldout(props.campaign.holdoutPercent);
  }, [props.campaign]);

  const setStep = (index: number, change: Partial<Step>) =>
    setSteps(steps.map((s, i) => (i === index ? { ...s, ...change } : s)));
  const setWait = (index: number, unit: 'days' | 'hours' | 'minutes', value: string) => {
    const wait = { ...(steps[index].wait ?? {}) };
    if (value === '' || Number(value) === 0) delete wait[unit];
    else wait[unit] = Number(value);
    setStep(index, { wait: Object.keys(wait).length ? wait : undefined });
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setOutcome(null);
    const { campaignId, version } = props.campaign;
    const { name, flow, trigger, audience, exit, goal, conversionWindowDays } = props.campaign;
    // What the console does not edit (the goal and its window) goes back as it came.
    const definition = { name, flow, trigger, audience, exit, goal, conversionWindowDays };
    try {
      await call(() =>
        api.PUT('/v1/campaigns/{campaignId}', {
          params: { path: { campaignId } },
          headers: { 'if-match': `"${version}"` },
          body: { ...definition, steps, holdoutPercent: holdout },
        }),
      );
      setOutcome('saved');
      props.onSaved();
    } catch (e) {
      setOutcome(e);
    }
  };

  return (
    <form onSubmit={save} class="editor">
      <fieldset disabled={!writable}>
        <legend>{t('campaign.steps')}</legend>
        {steps.map((step, i) => {
          const n = i + 1;
          return (
            <fieldset key={n} class="step">
              <legend>{t('campaign.step', { n })}</legend>
              {(['days', 'hours', 'minutes'] as const).map((unit) => (
                <label key={unit}>
                  {t(
                    unit === 'days'
                      ? 'campaign.waitDays'
                      : unit === 'hours'
                        ? 'campaign.waitHours'
                        : 'campaign.waitMinutes',
                    { n },
                  )}
                  <input
                    type="number"
                    min={0}
                    value={step.wait?.[unit] ?? 0}
                    onInput={(e) => setWait(i, unit, (e.target as HTMLInputElement).value)}
                  />
                </label>
              ))}
              <label>
                {t('campaign.template', { n })}
                <select
                  value={step.template}
                  onChange={(e) => setStep(i, { template: (e.target as HTMLSelectElement).value })}
                >
                  {(props.templates.includes(step.template)
                    ? props.templates
                    : [step.template, ...props.templates]
                  ).map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t('campaign.category', { n })}
                <select
                  value={step.category}
                  onChange={(e) =>
                    setStep(i, { category: (e.target as HTMLSelectElement).value as Step['category'] })
                  }
                >
                  <option value="marketing">{t('category.marketing')}</option>
                  <option value="transactional">{t('category.transactional')}</option>
                </select>
              </label>
            </fieldset>
          );
        })}
        <label>
          {t('campaign.holdout')}
          <input
            type="number"
            min={0}
            max={50}
            value={holdout}
            onInput={(e) => setHoldout(Number((e.target as HTMLInputElement).value))}
          />
        </label>
      </fieldset>
      {writable ? <button type="submit">{t('common.save')}</button> : null}
      {outcome === 'saved' ? (
        <Notice kind="ok">{t('common.saved')}</Notice>
      ) : outcome instanceof ApiError && outcome.failure.kind === 'conflict' ? (
        <Notice kind="error">{t('campaign.conflict')}</Notice>
      ) : outcome ? (
        <ErrorView error={outcome} />
      ) : null}
    </form>
  );
}

/** The last versions, newest first, each with who made it. */
function History(props: { campaign: Campaign }) {
  const { t, date } = useI18n();
  const { campaignId, version } = props.campaign;
  const [load, reload] = useLoad(async () => {
    const wanted = Array.from({ length: Math.min(version, HISTORY) }, (_, i) => version - i);
    return Promise.all(
      wanted.map(
        async (v) =>
          (await call(() =>
            api.GET('/v1/campaigns/{campaignId}', {
              params: { path: { campaignId }, query: { version: v } },
            }),
          )) as Campaign,
      ),
    );
  }, [campaignId, version]);
  return (
    <section aria-labelledby="history">
      <h2 id="history">{t('campaign.history')}</h2>
      <Loaded load={load} retry={reload}>
        {(versions) => (
          <ol class="history">
            {versions.map((v) => (
              <li key={v.version}>
                <strong>{t('campaign.historyRow', { version: v.version })}</strong> · {date(v.updatedAt)} ·{' '}
                {t('common.updatedBy')}: {v.updatedBy ?? t('common.unknownUser')} ·{' '}
                {t('campaign.stepsSummary', {
                  count: v.steps.length,
                  templates: v.steps.map((s) => s.template).join(', '),
                })}
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </section>
  );
}
