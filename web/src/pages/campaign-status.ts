import { api, call } from '../api/client';
import type { Notice } from '../components/status-notice';
import type { Translate } from '../i18n';
import type { Campaign } from './campaigns';

export type StatusChange = 'activate' | 'pause';

/** Activates or pauses a campaign; answers the campaign as the API now has it. */
export async function changeStatus(campaignId: string, to: StatusChange): Promise<Campaign> {
  const path = to === 'activate' ? '/v1/campaigns/{campaignId}/activate' : '/v1/campaigns/{campaignId}/pause';
  return (await call(() => api.POST(path, { params: { path: { campaignId } } }))) as Campaign;
}

/**
 * What a status change says in the page's live region. A pause is one click, so it says what it
 * did and offers `undo` (activate again); the list and the campaign page both use it.
 */
export function statusNotice(t: Translate, to: StatusChange, name: string, undo: () => void): Notice {
  return to === 'pause'
    ? { text: t('notice.paused', { name }), undo, undoLabel: t('notice.undoPause', { name }) }
    : { text: t('notice.activated', { name }) };
}
