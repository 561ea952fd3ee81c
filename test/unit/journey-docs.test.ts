import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { journeyMarkdown } from '../../lib/journey/docs.js';
import { compileModel, defaultModel } from '../../lib/journey/index.js';
import { socialCustomerJourney } from '../../lib/journey/social-customer-journey.js';

describe('docs/journey.md', () => {
  it('is what the journey model generates (run `npm run docs:journey` when this fails)', () => {
    expect(readFileSync('docs/journey.md', 'utf8')).toBe(journeyMarkdown(defaultModel));
  });

  it('lists every event that moves a stage, every name it is accepted as, and its threshold', () => {
    const doc = journeyMarkdown(defaultModel);
    for (const rule of defaultModel.model.rules)
      expect(doc).toMatch(new RegExp(`\\| \`${rule.event}\` +\\|`));
    for (const [name, canonical] of Object.entries(defaultModel.model.eventAliases)) {
      if (defaultModel.rulesByEvent.has(canonical)) expect(doc).toContain(`\`${name}\``);
    }
    expect(doc).toMatch(/\| `review_posted` +\| `Product Reviewed` +\| `rating` ≥ 4 +\| – +\| `refer` +\|/);
    expect(doc).toContain('14 days have passed');
  });

  it('changes when the model changes', () => {
    const stricter = compileModel({
      ...socialCustomerJourney,
      rules: socialCustomerJourney.rules.map((r) =>
        'when' in r && 'post' in r ? { ...r, when: { property: 'rating', gte: 5 } } : r,
      ),
    });
    expect(journeyMarkdown(stricter)).toContain('`rating` ≥ 5');
    expect(journeyMarkdown(stricter)).not.toBe(journeyMarkdown(defaultModel));
  });
});
