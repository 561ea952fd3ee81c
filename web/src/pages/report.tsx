import { useI18n } from '../i18n';

/** `YYYY-MM-DD` of `date` plus `days`, in UTC (the default report time zone). */
export const isoDay = (date: Date, days = 0): string =>
  new Date(date.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * When the figures were read, and whether changes are still being counted; `lagSeconds` is null
 * when the API could not tell (the stream backlog could not be read).
 */
export function Freshness(props: { asOf: string; lagSeconds: number | null }) {
  const { t, date } = useI18n();
  const lag = props.lagSeconds;
  return (
    <p class="state">
      {t('report.asOf', { at: date(props.asOf) })}
      {lag === null ? ` ${t('report.lagUnknown')}` : lag > 0 ? ` ${t('report.lag', { seconds: lag })}` : ''}
    </p>
  );
}
