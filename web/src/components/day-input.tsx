import { useI18n } from '../i18n';

/**
 * A day as the API takes it and the reports show it, `YYYY-MM-DD`, in every language. A native
 * date input follows the browser's locale instead of the console's (a German console in an
 * en-US browser asked for mm/dd/yyyy), which new users found confusing; the format is in the
 * placeholder and the title, and the browser checks the pattern before the form is sent.
 */
export function DayInput(props: { value: string; onInput: (e: Event) => void; required?: boolean }) {
  const { t } = useI18n();
  return (
    <input
      type="text"
      inputMode="numeric"
      pattern="\d{4}-\d{2}-\d{2}"
      placeholder={t('report.dayFormat')}
      title={t('report.dayFormat')}
      autoComplete="off"
      size={10}
      required={props.required}
      value={props.value}
      onInput={props.onInput}
      data-day-input
    />
  );
}
