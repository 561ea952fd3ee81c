import { describe, expect, it } from 'vitest';
import { DetailType, EVENT_SOURCE } from '../../events/index.js';
import { FLOW_TYPES, flowRulePattern } from '../../lib/campaigns/flow-catalogue.js';
import { OUTBOX_FILTER_PATTERN } from '../../lib/events/outbox-filter.js';
import { assertValidPattern, matchesPattern, UnsupportedPatternError } from '../../lib/events/pattern.js';

const stageChanged = (to: string, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'x',
  source: EVENT_SOURCE,
  'detail-type': DetailType.CustomerStageChanged,
  detail: { customerId: 'u1', from: 'decide', to, orderId: null, amount: 42, tags: ['vip', 'de'], ...extra },
});

describe('Function: matchesPattern', () => {
  it.each([
    ['a literal in the list', { source: ['other', 'stageflow'] }, true],
    ['no literal in the list', { source: ['other'] }, false],
    ['nested fields', { detail: { to: ['act'], from: ['decide'] } }, true],
    ['a nested field that differs', { detail: { to: ['enjoy'] } }, false],
    ['a missing nested object', { detail: { address: { city: ['Berlin'] } } }, false],
    ['null literally', { detail: { orderId: [null] } }, true],
    ['any element of an event array', { detail: { tags: ['de'] } }, true],
    ['no element of an event array', { detail: { tags: ['us'] } }, false],
    ['a prefix', { 'detail-type': [{ prefix: 'Customer ' }] }, true],
    ['a prefix that differs', { 'detail-type': [{ prefix: 'Referral' }] }, false],
    ['a suffix', { 'detail-type': [{ suffix: 'Changed' }] }, true],
    ['equals-ignore-case', { detail: { to: [{ 'equals-ignore-case': 'ACT' }] } }, true],
    ['anything-but a value', { detail: { to: [{ 'anything-but': 'enjoy' }] } }, true],
    ['anything-but the same value', { detail: { to: [{ 'anything-but': ['act', 'enjoy'] }] } }, false],
    ['anything-but a prefix', { detail: { to: [{ 'anything-but': { prefix: 'a' } }] } }, false],
    ['anything-but on a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['exists: true', { detail: { customerId: [{ exists: true }] } }, true],
    ['exists: true on a missing field', { detail: { missing: [{ exists: true }] } }, false],
    ['exists: false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists: false on a present field', { detail: { to: [{ exists: false }] } }, false],
    ['exists: false under a missing object', { detail: { nope: { deeper: [{ exists: false }] } } }, true],
    ['a numeric range', { detail: { amount: [{ numeric: ['>', 10, '<=', 42] }] } }, true],
    ['a numeric range it misses', { detail: { amount: [{ numeric: ['<', 42] }] } }, false],
    ['a number literally', { detail: { amount: [42] } }, true],
    ['a number against a string', { detail: { amount: ['42'] } }, false],
    ['$or with one matching branch', { $or: [{ source: ['x'] }, { detail: { to: ['act'] } }] }, true],
    ['$or with no matching branch', { $or: [{ source: ['x'] }, { detail: { to: ['y'] } }] }, false],
    ['an empty pattern', {}, true],
  ])('matches %s: %j → %s', (_, pattern, expected) => {
    expect(matchesPattern(pattern, stageChanged('act'))).toBe(expected);
  });

  it('rejects operators it does not implement, instead of silently never matching', () => {
    expect(() => assertValidPattern({ detail: { to: [{ wildcard: 'a*' }] } })).toThrow(
      UnsupportedPatternError,
    );
    expect(() => assertValidPattern({ detail: { to: 'act' } })).toThrow(UnsupportedPatternError);
    expect(() => assertValidPattern({ detail: { n: [{ numeric: ['>', 'x'] }] } })).toThrow(
      UnsupportedPatternError,
    );
  });
});

describe('Rule patterns from flowRulePattern', () => {
  it('are all valid for the matcher', () => {
    for (const flow of FLOW_TYPES) expect(() => assertValidPattern(flowRulePattern(flow))).not.toThrow();
  });

  it('start thank-you on entering act and nurture on entering research, and not the other way round', () => {
    expect(matchesPattern(flowRulePattern('thank-you'), stageChanged('act'))).toBe(true);
    expect(matchesPattern(flowRulePattern('thank-you'), stageChanged('research'))).toBe(false);
    expect(matchesPattern(flowRulePattern('nurture'), stageChanged('research'))).toBe(true);
    expect(matchesPattern(flowRulePattern('nurture'), stageChanged('act'))).toBe(false);
  });

  it('start referral-reward on Referral Converted only', () => {
    const converted = { source: EVENT_SOURCE, 'detail-type': DetailType.ReferralConverted, detail: {} };

    expect(matchesPattern(flowRulePattern('referral-reward'), converted)).toBe(true);
    expect(matchesPattern(flowRulePattern('referral-reward'), stageChanged('act'))).toBe(false);
  });
});

describe('Constant: OUTBOX_FILTER_PATTERN', () => {
  const record = (eventName: string, entity: string) => ({
    eventName,
    dynamodb: { Keys: {}, NewImage: { entity: { S: entity }, eventId: { S: 'e1' } }, SequenceNumber: '1' },
  });

  it('passes new outbox items only', () => {
    expect(matchesPattern(OUTBOX_FILTER_PATTERN, record('INSERT', 'outbox'))).toBe(true);
    expect(matchesPattern(OUTBOX_FILTER_PATTERN, record('MODIFY', 'outbox'))).toBe(false);
    expect(matchesPattern(OUTBOX_FILTER_PATTERN, record('INSERT', 'touchpoint'))).toBe(false);
    expect(matchesPattern(OUTBOX_FILTER_PATTERN, { eventName: 'REMOVE', dynamodb: { OldImage: {} } })).toBe(
      false,
    );
  });
});
