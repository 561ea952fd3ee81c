import { useI18n } from '../i18n';

export interface Notice {
  text: string;
  /** Offered beside the text ("Undo"): puts back what the action changed. */
  undo?: () => void;
  undoLabel?: string;
}

/**
 * What an action just did, announced to screen readers ("Paused 'Cart reminder'.") with an Undo
 * beside it. The live region is always in the page, empty until there is news: a region added
 * together with its text is not announced by every screen reader.
 */
export function StatusNotice(props: { notice: Notice | null; id?: string }) {
  const { t } = useI18n();
  const { notice } = props;
  return (
    <div class="status-notice" role="status" aria-live="polite" id={props.id} data-notice>
      {notice ? (
        <p>
          {notice.text}{' '}
          {notice.undo ? (
            <button type="button" onClick={notice.undo} aria-label={notice.undoLabel}>
              {t('notice.undo')}
            </button>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
