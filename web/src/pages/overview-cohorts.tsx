import type { components } from '../api/schema';
import { TableWrap } from '../components/ui';
import { useI18n } from '../i18n';
import { stageLabel } from '../labels';

type FunnelReport = components['schemas']['FunnelReport'];

/** Customers by the week or month of their first touchpoint, and the share that reached each stage. */
export function CohortTable(props: { report: FunnelReport }) {
  const { t, number, percent } = useI18n();
  const { report } = props;
  return (
    <TableWrap label={t('overview.cohorts')}>
      <table aria-labelledby="cohorts">
        <thead>
          <tr>
            <th scope="col">{t('overview.cohortHeader')}</th>
            <th scope="col" class="num">
              {t('overview.customers')}
            </th>
            {report.steps.map((s) => (
              <th key={s} scope="col" class="num">
                {stageLabel(t, s)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.groups.map((g) => {
            const cohort = g.key?.cohort ?? '';
            return (
              <tr key={cohort} data-cohort={cohort}>
                <th scope="row">{cohort}</th>
                <td class="num">{number(g.customers)}</td>
                {g.steps.map((s) => (
                  <td key={s.stage} class="num" data-stage={s.stage} data-value={String(s.reached)}>
                    {`${number(s.reached)} (${percent(g.customers ? s.reached / g.customers : null)})`}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
