import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';

/** The page sizes the lists offer (the routes take 1 to 500). */
export const PAGE_SIZES = [10, 25, 50, 100] as const;

/**
 * Cursor paging as the list routes do it (`nextCursor`, opaque, tied to the filters): the
 * cursors of the pages seen so far, so "Previous" goes back without the API knowing how.
 */
export function useCursorPages() {
  // cursors[i] is the cursor that loads page i + 1; page 1 has none.
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    page: cursors.length + 1,
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    previous: () => setCursors((c) => c.slice(0, -1)),
    /** Back to page 1: when the filters change, the old cursors belong to another list. */
    reset: () => setCursors([]),
  };
}

/** Previous and next page buttons, and which page this is. */
export function Pager(props: {
  label: string;
  page: number;
  nextCursor: string | null;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}) {
  const { t } = useI18n();
  if (props.page === 1 && !props.nextCursor) return null;
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" disabled={props.page === 1} onClick={props.onPrevious}>
        {t('pager.previous')}
      </button>
      <span aria-live="polite">{t('pager.page', { page: props.page })}</span>
      <button
        type="button"
        disabled={!props.nextCursor}
        onClick={() => props.nextCursor && props.onNext(props.nextCursor)}
      >
        {t('pager.next')}
      </button>
    </nav>
  );
}
