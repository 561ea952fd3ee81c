import { describe, expect, it } from 'vitest';
import { socialCustomerJourney } from '../../lib/journey/social-customer-journey.js';
import { REASON_CODES } from '../../lib/measurement/reason-codes.js';

/*
 * The console's attribution ranking and its words for API values, loaded by a path tsc does not
 * follow (web/tsconfig.json types them; see console-lift.test.ts).
 */
const web = (path: string) => import(/* @vite-ignore */ `../../web/src/${path}`);
const { translator } = await web('i18n/index.ts');
const rowsModule = await web('pages/attribution-rows.ts');
const { sortRows, nextSort, leadersByCurrency, currenciesOf, isUnattributed, creditOf } = rowsModule;
const { stageLabel, reasonLabel, acquisitionLabel, messageStatusLabel } = await web('labels.ts');

/** A one-model report's rows, as GET /v1/analytics/attribution?model=linear answers them. */
const rows = [
  { key: { campaign: '(none)' }, conversions: 9, revenue: { EUR: 5000 } },
  { key: { campaign: 'spring' }, conversions: 2, revenue: { EUR: 1000, USD: 10 } },
  { key: { campaign: 'us-launch' }, conversions: 1, revenue: { USD: 300 } },
  {
    key: { campaign: 'default-nurture-decide' },
    label: 'Cart reminder',
    conversions: 3,
    revenue: { EUR: 80 },
  },
];
const keys = (list: { key: { campaign: string } }[]) => list.map((r) => r.key.campaign);
const desc = (column: unknown) => ({ column, direction: 'descending' });

describe('The attribution table ranks campaigns, never adding up currencies', () => {
  it('sorts by a column either way, with the no-campaign row always last', () => {
    const eur = { kind: 'revenue', model: 'linear', currency: 'EUR' };
    expect(keys(sortRows(rows, 'campaign', desc(eur)))).toEqual([
      'spring',
      'default-nurture-decide',
      'us-launch',
      '(none)',
    ]);
    expect(keys(sortRows(rows, 'campaign', { column: eur, direction: 'ascending' }))).toEqual([
      'us-launch',
      'default-nurture-decide',
      'spring',
      '(none)',
    ]);
    const usd = { kind: 'revenue', model: 'linear', currency: 'USD' };
    expect(keys(sortRows(rows, 'campaign', desc(usd)))[0]).toBe('us-launch');
    const conversions = { kind: 'conversions', model: 'linear' };
    expect(keys(sortRows(rows, 'campaign', desc(conversions)))).toEqual([
      'default-nurture-decide',
      'spring',
      'us-launch',
      '(none)',
    ]);
    // By name, a campaign's label is its name (Cart reminder before spring).
    const byName = sortRows(
      rows,
      'campaign',
      { column: { kind: 'name' }, direction: 'ascending' },
      (r: { label?: string; key: { campaign: string } }) => r.label ?? r.key.campaign,
    );
    expect(keys(byName)).toEqual(['default-nurture-decide', 'spring', 'us-launch', '(none)']);
  });

  it('by channel, the direct row is the unattributed one', () => {
    const channels = [
      { key: { channel: 'direct' }, conversions: 5, revenue: {} },
      { key: { channel: 'google' }, conversions: 1, revenue: {} },
    ];
    expect(isUnattributed('channel', channels[0])).toBe(true);
    expect(isUnattributed('campaign', rows[0])).toBe(true);
    expect(isUnattributed('campaign', rows[1])).toBe(false);
    const sorted = sortRows(channels, 'channel', desc({ kind: 'conversions', model: 'linear' }));
    expect(sorted.map((r: { key: { channel: string } }) => r.key.channel)).toEqual(['google', 'direct']);
  });

  it('flips a clicked column, and starts a new one descending (names ascending)', () => {
    const eur = { kind: 'revenue', model: 'linear', currency: 'EUR' };
    const usd = { kind: 'revenue', model: 'linear', currency: 'USD' };
    expect(nextSort(desc(eur), eur)).toEqual({ column: eur, direction: 'ascending' });
    expect(nextSort(desc(eur), usd)).toEqual({ column: usd, direction: 'descending' });
    expect(nextSort(desc(eur), { kind: 'name' })).toEqual({
      column: { kind: 'name' },
      direction: 'ascending',
    });
  });

  it('names the top campaign per currency, leaving out orders with no campaign', () => {
    const currencies = currenciesOf({ EUR: 6080, USD: 310 }, rows);
    expect(currencies).toEqual(['EUR', 'USD']);
    const leaders = leadersByCurrency(rows, 'campaign', 'linear', currencies);
    expect(
      leaders.map((l: { currency: string; amount: number; rows: typeof rows }) => [
        l.currency,
        l.amount,
        keys(l.rows),
      ]),
    ).toEqual([
      ['EUR', 1000, ['spring']],
      ['USD', 300, ['us-launch']],
    ]);
    // A tie names both; a currency only the no-campaign row earned has no leader.
    const tie = [
      { key: { campaign: 'a' }, conversions: 1, revenue: { EUR: 50 } },
      { key: { campaign: 'b' }, conversions: 1, revenue: { EUR: 50 } },
      { key: { campaign: '(none)' }, conversions: 1, revenue: { GBP: 9 } },
    ];
    expect(
      leadersByCurrency(tie, 'campaign', 'linear', ['EUR', 'GBP']).map((l: { rows: typeof tie }) =>
        keys(l.rows),
      ),
    ).toEqual([['a', 'b']]);
  });

  it('reads a compare-all report per model', () => {
    const all = {
      key: { campaign: 'x' },
      conversions: { first: 1, last: 0, linear: 0.5, position: 0.4, 'time-decay': 0.7 },
      revenue: {
        first: { EUR: 10 },
        last: {},
        linear: { EUR: 5 },
        position: { EUR: 4 },
        'time-decay': { EUR: 7 },
      },
    };
    expect(creditOf(all, 'linear')).toEqual({ conversions: 0.5, revenue: { EUR: 5 } });
    expect(creditOf(all, 'last')).toEqual({ conversions: 0, revenue: {} });
  });
});

describe('The console says API values in words, in both languages', () => {
  const en = translator('en');
  const de = translator('de');

  it('has a word for every stage of the journey model and every reason code', () => {
    for (const t of [en, de]) {
      for (const { name } of socialCustomerJourney.stages) expect(stageLabel(t, name)).not.toBe('');
      for (const code of REASON_CODES) expect(reasonLabel(t, code)).not.toBe(code);
    }
    expect(stageLabel(en, 'decide')).toBe('decide');
    expect(stageLabel(de, 'decide')).toBe('Entscheidung');
    expect(reasonLabel(de, 'frequency-cap')).toBe('Zu viele Mails im Zeitraum');
    expect(messageStatusLabel(de, 'held-out')).toBe('Kontrollgruppe');
  });

  it('keeps a value it does not know as the API says it', () => {
    expect(stageLabel(de, 'loyal-fan')).toBe('loyal-fan');
    expect(reasonLabel(en, 'new-code')).toBe('new-code');
  });

  it('names the no-campaign and no-channel groups, and leaves utm values alone', () => {
    expect(acquisitionLabel(en, 'campaign', '(none)')).toBe('No campaign (direct)');
    expect(acquisitionLabel(de, 'campaign', '(none)')).toBe('Ohne Kampagne (direkt)');
    expect(acquisitionLabel(de, 'channel', 'direct')).toBe('Direkt (ohne Kanal)');
    expect(acquisitionLabel(en, 'campaign', 'direct')).toBe('direct');
    expect(acquisitionLabel(en, 'channel', 'google')).toBe('google');
  });
});
