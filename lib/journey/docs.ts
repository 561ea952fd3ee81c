import type { CompiledModel, RuleCondition, SignalRule } from './model.js';

const condition = (c: RuleCondition | undefined): string => {
  if (!c) return '';
  const parts = [
    ...(c.gte !== undefined ? [`\`${c.property}\` ≥ ${c.gte}`] : []),
    ...(c.lte !== undefined ? [`\`${c.property}\` ≤ ${c.lte}`] : []),
  ];
  return parts.join(' and ');
};

const EFFECTS: Record<NonNullable<SignalRule['effect']>, string> = {
  purchase: 'a purchase: enters the purchase stage (every order)',
  undo_purchase: 'undoes the purchase it names (`order_id`)',
  complaint: 'a complaint: no stage change, raises `Customer Complaint Raised`',
};

const cell = (text: string) => text.replaceAll('|', '\\|');

/** A Markdown table padded the way the formatter (biome) lays it out, so the file stays as generated. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/**
 * docs/journey.md, generated from the journey model so it cannot drift: the stages with their
 * lenses, every event name that moves a stage (and its thresholds), and the rules around them.
 */
export function journeyMarkdown(cm: CompiledModel): string {
  const { model } = cm;
  const aliasesOf = new Map<string, string[]>();
  for (const [name, canonical] of Object.entries(model.eventAliases)) {
    aliasesOf.set(canonical, [...(aliasesOf.get(canonical) ?? []), name]);
  }
  const out: string[] = [];
  out.push(
    '# The journey model',
    '',
    `<!-- Generated from the journey model (${model.id}@${model.version}, lib/journey/social-customer-journey.ts)`,
    '     by `npm run docs:journey`. Do not edit: a test fails when this file is stale. -->',
    '',
    'A customer’s stage is a pure function of their touchpoints in event-time order: the same',
    'touchpoints give the same stage in any arrival order. Before the first purchase the stage is',
    'the strongest pre-purchase signal seen; every purchase enters the purchase stage; after a',
    'purchase, each post-purchase signal enters its stage.',
    '',
    '## Stages',
    '',
    ...table(
      ['stage', 'phase', 'AIDA', 'funnel', 'moment of truth', 'what it means'],
      model.stages.map((s) => [
        `\`${s.name}\``,
        s.phase,
        s.labels.aida ?? '–',
        s.labels.funnel ?? '–',
        s.labels.momentOfTruth ?? '–',
        cell(s.description),
      ]),
    ),
    '',
    '## Events that move a stage',
    '',
    'Event names match case-insensitively, and `_` and spaces alike: `order completed`,',
    '`order_completed` and `Order Completed` are one event. Any name in the first two columns',
    'works. An event not listed is kept but moves no stage.',
    '',
    ...table(
      ['event', 'also accepted as', 'only when', 'before a purchase', 'after a purchase', 'effect'],
      model.rules.map((rule) => [
        `\`${rule.event}\``,
        (aliasesOf.get(rule.event) ?? []).map((n) => `\`${n}\``).join(', ') || '–',
        condition(rule.when) || '–',
        rule.pre ? `\`${rule.pre}\`` : '–',
        rule.post ? `\`${rule.post}\`` : '–',
        rule.effect ? EFFECTS[rule.effect] : '–',
      ]),
    ),
  );
  if (model.campaignSignal) {
    out.push(
      '',
      `Any other event that carries a utm campaign (\`context.campaign\`) signals \`${model.campaignSignal}\``,
      'before a purchase; an identify or alias call never does.',
    );
  }
  out.push(
    '',
    'A property threshold compares the property as a number; an event whose property is missing or',
    'not a number does not meet it.',
  );
  if (model.returning) {
    const r = model.returning;
    out.push(
      '',
      '## Returning customers',
      '',
      `Signals that lead to \`${r.stage}\` after a purchase enter it only once the latest order has settled:`,
      `an event ${r.settledBy.map((e) => `\`${e}\``).join(' or ')} named that order (or named no order),`,
      `or ${r.afterDays} days have passed since it. Before that, a product view is someone checking their`,
      'order, not a return, and moves no stage.',
      '',
      `The repeat-purchase flow makes at most one returning-customer offer per purchase cycle (per latest`,
      `order): the first of its campaigns to start for that order owns the cycle, and moving between`,
      `\`${r.stage}\` and other stages starts nothing new. No campaign step ever goes twice to the same`,
      'customer for the same trigger cycle (docs/flows.md).',
    );
  }
  out.push(
    '',
    '## History is not news',
    '',
    'Stages, counts and transitions always take the whole history, however old. Flows do not: a',
    'transition whose event time is older than a campaign’s freshness horizon starts no run',
    '(docs/flows.md).',
    '',
  );
  return out.join('\n');
}
