import { Link } from '../components/ui';
import { plural, useI18n } from '../i18n';
import { stageLabel } from '../labels';

/**
 * Where customers are stuck, in one sentence per stage with any, so "how many stalled in decide"
 * needs no reading of the chart.
 */
export function StalledSummary(props: { stages: { stage: string; stalled: number }[]; days: number }) {
  const { t, number } = useI18n();
  const stalled = props.stages.filter((s) => s.stalled > 0);
  return (
    <div class="stalled-summary">
      <p>
        {t(plural(props.days, 'overview.stalledIntroOne', 'overview.stalledIntro'), { days: props.days })}
      </p>
      {stalled.length === 0 ? (
        <p>{t('overview.noneStalled')}</p>
      ) : (
        <ul class="stalled-list">
          {stalled.map((s) => (
            <li key={s.stage} data-stalled-stage={s.stage}>
              {/* Who they are: the customer list of this stage's stalled customers. */}
              <Link
                to="customers"
                search={{ list: 'stage', value: s.stage, stalledAfterDays: String(props.days) }}
              >
                {t(plural(s.stalled, 'overview.stalledIn.one', 'overview.stalledIn.other'), {
                  n: number(s.stalled),
                  stage: stageLabel(t, s.stage),
                })}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
