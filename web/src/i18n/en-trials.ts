/** English strings added for the new-user trials' fixes (lift needs, stalled lists, pause undo, open funnel windows, missing campaigns); en.ts spreads them in. */
export const enTrials = {
  'lift.noHoldout': 'cannot be measured: the holdout is 0%, so nobody is held out to compare with',
  'lift.notEnoughNeeded': 'not enough data: {needed} needed',
  'lift.needControl.one': '{n} more held-out customer',
  'lift.needControl.other': '{n} more held-out customers',
  'lift.needTreatment.one': '{n} more mailed customer',
  'lift.needTreatment.other': '{n} more mailed customers',
  'lift.needBoth': '{control} more held-out and {treatment} more mailed customers',
  'customers.title.stalled.one': 'Customers stalled in {stage} (more than {days} day)',
  'customers.title.stalled.other': 'Customers stalled in {stage} (more than {days} days)',
  'notice.paused': 'Paused “{name}”: it sends nothing until it is activated again.',
  'notice.activated': 'Activated “{name}”.',
  'notice.undo': 'Undo',
  'notice.undoPause': 'Undo: activate “{name}” again',
  'settings.globalControlOff':
    'The global control group is off (0%): nobody is held out, every customer can get marketing mail, and nothing is measured. Set a share above 0 and customers are counted from their next marketing mail.',
  'settings.globalControlNoneYet':
    'Nobody counted yet: customers get their place (held out or not) at their next marketing mail.',
  'settings.globalControlOffNow':
    'The group is off now (0%): nobody is held out or counted any more. The figures are from while it was on.',
  'overview.openWindows':
    'Not final yet: customers first seen since {from} are still within their {days}-day window and may still reach later steps, so the drop-off at the last steps will shrink.',
  'overview.timeScaleHint':
    'On this local stack, STAGEFLOW_TIME_SCALE shortens the flows’ waits (a review request after seconds, not days), so later steps come sooner.',
  'attribution.missingTitle': 'Why is a campaign missing?',
  'attribution.missing':
    'A mail campaign gets credit here only for orders that follow a click in one of its mails within the lookback: the click is the visit the mail caused, and it carries the campaign as its utm campaign. Opening a mail, or buying without clicking, gives the campaign no credit here. Its own page still counts those customers as converted, because it compares all mailed customers with the held-out ones, click or not. So a campaign whose buyers did not click first is absent from this page.',
  'campaign.missingLink': 'Why is this campaign missing from attribution?',
  'event.Referral Converted': 'Referral Converted (a referred friend’s first purchase)',
  'report.dayFormat': 'YYYY-MM-DD',
  'session.signedInLabel': 'Signed in as',
  'session.who': '{name} · {scope}',
} as const;
