import type { Translate } from './i18n';
import { en, type MessageKey } from './i18n/en';

/**
 * Words for the API's values: stage names, reason codes and the analytics' placeholders
 * (`(none)`, `direct`) in the chosen language. The API's values themselves stay as they are (in
 * `data-…` attributes, filters and URLs); a value the catalogue does not know (a custom journey
 * model's stage) is shown as the API says it.
 */
const known = (key: string): key is MessageKey => key in en;

/** A journey stage ("decide" → "Entscheiden" in German). */
export const stageLabel = (t: Translate, stage: string): string =>
  known(`stage.${stage}`) ? t(`stage.${stage}` as MessageKey) : stage;

/**
 * A flow's trigger event ("Referral Converted") in words; the bus's detail type stays in the
 * API and in a title. Unknown types (a custom flow's) are shown as they are.
 */
export const eventLabel = (t: Translate, detailType: string): string =>
  known(`event.${detailType}`) ? t(`event.${detailType}` as MessageKey) : detailType;

/** Why a flow sent no mail, in words ("frequency-cap" → "Too many mails in the window"). */
export const reasonLabel = (t: Translate, code: string): string =>
  known(`reason.${code}`) ? t(`reason.${code}` as MessageKey) : code;

/**
 * A funnel or customer group's value: `(none)` (no utm campaign) and `direct` (no channel) in
 * words, anything else as it is (utm values are the shop's own names).
 */
export const acquisitionLabel = (t: Translate, dimension: string, value: string): string => {
  if (dimension === 'campaign' && value === '(none)') return t('label.noCampaign');
  if (dimension === 'channel' && value === 'direct') return t('label.direct');
  return value;
};

/** A message's status ("sent", "held-out") in words, as the Messages page shows it. */
export const messageStatusLabel = (t: Translate, status: string): string =>
  known(`messageStatus.${status}`) ? t(`messageStatus.${status}` as MessageKey) : status;

/**
 * The local stack's keys are named "local admin key (from STAGEFLOW_ADMIN_KEY)" (local/stack.ts):
 * too long for a "Changed by" cell or a button, and English in a German console. The console
 * shows "local admin key" in the chosen language; `localKeyEnv` gives the variable for a title.
 */
const LOCAL_KEY = /^local (admin|read|ingest) key \(from (STAGEFLOW_[A-Z_]+)\)$/;

/** Who did something (a key's or a user's name), with the local keys' names shortened. */
export const keyNameLabel = (t: Translate, name: string): string => {
  const local = LOCAL_KEY.exec(name);
  return local ? t(`keys.localName.${local[1]}` as MessageKey) : name;
};

/** "The local stack's key from STAGEFLOW_ADMIN_KEY" for a local key's name, else undefined. */
export const localKeyEnv = (t: Translate, name: string): string | undefined => {
  const local = LOCAL_KEY.exec(name);
  return local ? t('keys.localFrom', { env: local[2] }) : undefined;
};
