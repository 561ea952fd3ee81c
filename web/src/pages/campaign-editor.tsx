import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { components } from '../api/schema';
import { ErrorView, Notice } from '../components/ui';
import { useI18n } from '../i18n';
import { eventLabel, stageLabel } from '../labels';

/** A campaign definition as the API takes it (PUT and POST /v1/campaigns). */
export type Definition = components['schemas']['CampaignInput'];
type Step = Definition['steps'][number];

const EXITS = ['none', 'stage-left', 'order-reviewed', 'purchased'] as const;
const GOALS = ['purchase', 'review', 'none'] as const;
const UNITS = ['days', 'hours', 'minutes'] as const;

/** The definition fields a marketer edits, with everything else (trigger, freshness) passed through. */
export function definitionOf(c: Definition): Definition {
  const { name, flow, trigger, steps, audience, exit, holdoutPercent, goal, conversionWindowDays } = c;
  return {
    name,
    flow,
    trigger,
    steps,
    audience,
    exit,
    holdoutPercent,
    conversionWindowDays,
    ...(goal ? { goal } : {}),
    ...(c.freshnessHours !== undefined ? { freshnessHours: c.freshnessHours } : {}),
  };
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * The whole definition a marketer changes: name, audience, steps (waits, template, category),
 * exit, holdout, goal and its window. The API validates the result (a flow's allowed exits and
 * categories) and its problem, naming the field, is shown as it comes.
 */
export function CampaignEditor(props: {
  initial: Definition;
  templates: string[];
  writable: boolean;
  submitLabel: string;
  onSubmit: (definition: Definition) => Promise<void>;
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Definition>(props.initial);
  const [outcome, setOutcome] = useState<'saved' | unknown>(null);
  // A new version saved (or another flow picked) starts the form again from it; a re-render
  // of the page with the same definition keeps what the marketer is typing.
  const initialKey = JSON.stringify(props.initial);
  useEffect(() => setDraft(props.initial), [initialKey]);
  const set = (patch: Partial<Definition>) => setDraft({ ...draft, ...patch });
  const steps = draft.steps;
  const setStep = (index: number, change: Partial<Step>) =>
    set({ steps: steps.map((s, i) => (i === index ? { ...s, ...change } : s)) });
  const setWait = (index: number, unit: (typeof UNITS)[number], value: string) => {
    const wait = { ...(steps[index].wait ?? {}) };
    if (value === '' || Number(value) === 0) delete wait[unit];
    else wait[unit] = Number(value);
    setStep(index, { wait });
  };
  const audience = draft.audience ?? {};

  const submit = async (event: Event) => {
    event.preventDefault();
    setOutcome(null);
    try {
      await props.onSubmit(draft);
      setOutcome('saved');
    } catch (e) {
      setOutcome(e);
    }
  };

  const trigger =
    draft.trigger.type === 'stage'
      ? t('campaign.triggerStage', { stages: draft.trigger.enters.map((s) => stageLabel(t, s)).join(', ') })
      : t('campaign.triggerEvent', { event: eventLabel(t, draft.trigger.detailType) });

  return (
    <form onSubmit={submit} class="editor" aria-labelledby="definition">
      <h2 id="definition">{t('campaign.definition')}</h2>
      <p>
        {t('campaign.flow', { flow: draft.flow })} · {t('campaign.trigger', { trigger })}
      </p>
      <fieldset disabled={!props.writable}>
        <label>
          {t('campaign.name')}
          <input
            required
            maxLength={200}
            value={draft.name}
            onInput={(e) => set({ name: (e.target as HTMLInputElement).value })}
          />
        </label>
        <fieldset>
          <legend>{t('campaign.audience')}</legend>
          <label>
            {t('campaign.channels')}
            <input
              value={(audience.channels ?? []).join(', ')}
              onChange={(e) => {
                const channels = list((e.target as HTMLInputElement).value);
                const { channels: _, ...rest } = audience;
                set({ audience: channels.length ? { ...rest, channels } : rest });
              }}
            />
          </label>
          <label>
            {t('campaign.utmCampaigns')}
            <input
              value={(audience.utmCampaigns ?? []).join(', ')}
              onChange={(e) => {
                const utmCampaigns = list((e.target as HTMLInputElement).value);
                const { utmCampaigns: _, ...rest } = audience;
                set({ audience: utmCampaigns.length ? { ...rest, utmCampaigns } : rest });
              }}
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('campaign.steps')}</legend>
          {steps.map((step, i) => {
            const n = i + 1;
            return (
              <fieldset key={n} class="step">
                <legend>{t('campaign.step', { n })}</legend>
                {UNITS.map((unit) => (
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
                {steps.length > 1 && props.writable ? (
                  <button type="button" onClick={() => set({ steps: steps.filter((_, j) => j !== i) })}>
                    {t('campaign.removeStep', { n })}
                  </button>
                ) : null}
              </fieldset>
            );
          })}
          {steps.length < 10 && props.writable ? (
            <button
              type="button"
              onClick={() => set({ steps: [...steps, { ...steps[steps.length - 1], wait: { days: 1 } }] })}
            >
              {t('campaign.addStep')}
            </button>
          ) : null}
        </fieldset>
        <label>
          {t('campaign.exit')}
          <select
            value={draft.exit ?? 'none'}
            onChange={(e) => set({ exit: (e.target as HTMLSelectElement).value as Definition['exit'] })}
          >
            {EXITS.map((x) => (
              <option key={x} value={x}>
                {t(`exit.${x}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('campaign.holdout')}
          <input
            type="number"
            min={0}
            max={100}
            value={draft.holdoutPercent ?? 0}
            onInput={(e) => set({ holdoutPercent: Number((e.target as HTMLInputElement).value) })}
          />
        </label>
        <label>
          {t('campaign.goal')}
          <select
            value={draft.goal ?? ''}
            onChange={(e) => {
              const goal = (e.target as HTMLSelectElement).value as Definition['goal'] | '';
              const { goal: _, ...rest } = draft;
              setDraft(goal ? { ...rest, goal } : rest);
            }}
          >
            {draft.goal ? null : <option value="">–</option>}
            {GOALS.map((g) => (
              <option key={g} value={g}>
                {t(`goal.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('campaign.window')}
          <input
            type="number"
            min={1}
            max={90}
            value={draft.conversionWindowDays ?? 7}
            onInput={(e) => set({ conversionWindowDays: Number((e.target as HTMLInputElement).value) })}
          />
        </label>
      </fieldset>
      {props.writable ? <button type="submit">{props.submitLabel}</button> : null}
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
