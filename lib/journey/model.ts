import * as z from '../shared/zod.js';

/**
 * How an event name is matched: case-insensitively, with `_` and runs of spaces alike, so
 * `order completed`, `order_completed` and `Order Completed` are one event.
 */
export const eventKey = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ');

/**
 * The model's zod schemas, built by journeySchemas() on first use. Only compileModel() parses
 * with them: the built-in model is plain data checked by the unit tests (defaultModel in
 * index.ts), so a function that only runs journeys never builds them at cold start.
 */
const buildSchemas = () => {
  /** Which part of the journey a stage belongs to: before, at, or after a purchase. */
  const StagePhase = z.enum(['pre', 'purchase', 'post']);

  const nonEmpty = () => z.string().check(z.minLength(1));

  const StageDefinition = z.object({
    name: z.string().check(z.regex(/^[a-z][a-z0-9_]*$/, 'stage names are lower snake_case')),
    phase: StagePhase,
    description: nonEmpty(),
    labels: z.object({
      aida: z.nullable(z.string()),
      funnel: z.nullable(z.enum(['top', 'middle', 'bottom'])),
      momentOfTruth: z.nullable(z.string()),
    }),
  });

  /** A numeric comparison on one touchpoint property, e.g. `rating >= 4`. */
  const RuleCondition = z
    .object({
      property: nonEmpty(),
      gte: z.optional(z.number()),
      lte: z.optional(z.number()),
    })
    .check(
      z.refine((c: { gte?: number; lte?: number }) => c.gte !== undefined || c.lte !== undefined, {
        message: 'a condition needs gte or lte',
      }),
    );

  /**
   * Maps a canonical event to its effect. `pre` is the stage signalled before any purchase,
   * `post` the stage signalled after one; `effect` covers purchases, their undoing and complaints.
   */
  const SignalRule = z
    .object({
      event: nonEmpty(),
      when: z.optional(RuleCondition),
      pre: z.optional(z.string()),
      post: z.optional(z.string()),
      effect: z.optional(z.enum(['purchase', 'undo_purchase', 'complaint'])),
    })
    .check(
      z.refine(
        (r: { pre?: string; post?: string; effect?: string }) =>
          r.pre !== undefined || r.post !== undefined || r.effect !== undefined,
        { message: 'a rule needs pre, post or effect' },
      ),
    );

  /**
   * When shopping signals after a purchase mean a returning customer: only once the latest order
   * has settled, i.e. a `settledBy` event named it (or named no order), or `afterDays` days have
   * passed since it. Before that a product view is someone checking their order, not a return.
   */
  const ReturningRule = z.strictObject({
    /** The post-purchase stage that marks a returning customer. */
    stage: nonEmpty(),
    /** Canonical events that settle the latest order (its delivery, its first use). */
    settledBy: z.array(nonEmpty()).check(z.minLength(1)),
    /** Days after the latest purchase after which it counts as settled anyway. */
    afterDays: z.number().check(z.gte(0), z.lte(365)),
  });

  const JourneyModel = z
    .object({
      id: nonEmpty(),
      version: nonEmpty(),
      // At most 10: the analytics counters name a stage by one digit (lib/analytics/cells.ts).
      stages: z
        .array(StageDefinition)
        .check(
          z.minLength(2),
          z.maxLength(10, 'at most 10 stages (analytics counters name a stage by one digit)'),
        ),
      /** Segment (or any other vocabulary) event names mapped to canonical ones. */
      eventAliases: z.record(z.string(), z.string()),
      rules: z.array(SignalRule),
      /** The pre-purchase stage signalled by any otherwise unmapped event that carries a utm campaign. */
      campaignSignal: z.nullable(z.string()),
      /** When post-purchase shopping enters the returning stage; null: at once. */
      returning: z._default(z.nullable(ReturningRule), null),
    })
    .check(
      z.superRefine((model, ctx) => {
        const byName = new Map<string, z.infer<typeof StageDefinition>>();
        model.stages.forEach((stage, i) => {
          if (byName.has(stage.name)) {
            ctx.addIssue({
              code: 'custom',
              path: ['stages', i, 'name'],
              message: `duplicate stage "${stage.name}"`,
            });
          }
          byName.set(stage.name, stage);
        });
        const purchaseStages = model.stages.filter((s) => s.phase === 'purchase');
        if (purchaseStages.length !== 1) {
          ctx.addIssue({
            code: 'custom',
            path: ['stages'],
            message: `exactly one stage must have phase "purchase", found ${purchaseStages.length}`,
          });
        }
        const expectPhase = (
          name: string | undefined | null,
          phase: z.infer<typeof StagePhase>,
          path: (string | number)[],
        ) => {
          if (name === undefined || name === null) return;
          const stage = byName.get(name);
          if (!stage) ctx.addIssue({ code: 'custom', path, message: `unknown stage "${name}"` });
          else if (stage.phase !== phase) {
            ctx.addIssue({
              code: 'custom',
              path,
              message: `stage "${name}" has phase "${stage.phase}", not "${phase}"`,
            });
          }
        };
        model.rules.forEach((rule, i) => {
          expectPhase(rule.pre, 'pre', ['rules', i, 'pre']);
          expectPhase(rule.post, 'post', ['rules', i, 'post']);
        });
        expectPhase(model.campaignSignal, 'pre', ['campaignSignal']);
        if (model.returning) expectPhase(model.returning.stage, 'post', ['returning', 'stage']);
        // Names are matched by eventKey(): two names that match alike must mean the same event.
        const seen = new Map<string, string>();
        const claim = (name: string, canonical: string, path: (string | number)[]) => {
          const key = eventKey(name);
          const other = seen.get(key);
          if (other !== undefined && other !== canonical) {
            ctx.addIssue({
              code: 'custom',
              path,
              message: `"${name}" matches like an event that means "${other}", not "${canonical}"`,
            });
          }
          seen.set(key, canonical);
        };
        model.rules.forEach((rule, i) => {
          claim(rule.event, rule.event, ['rules', i, 'event']);
        });
        for (const [name, canonical] of Object.entries(model.eventAliases)) {
          claim(canonical, canonical, ['eventAliases', name]);
          claim(name, canonical, ['eventAliases', name]);
        }
      }),
    );
  return { StagePhase, StageDefinition, RuleCondition, SignalRule, ReturningRule, JourneyModel };
};

type Schemas = ReturnType<typeof buildSchemas>;
/** Which part of the journey a stage belongs to: before, at, or after a purchase. */
export type StagePhase = z.infer<Schemas['StagePhase']>;
export type StageDefinition = z.infer<Schemas['StageDefinition']>;
/** A numeric comparison on one touchpoint property, e.g. `rating >= 4`. */
export type RuleCondition = z.infer<Schemas['RuleCondition']>;
/**
 * Maps a canonical event to its effect. `pre` is the stage signalled before any purchase,
 * `post` the stage signalled after one; `effect` covers purchases, their undoing and complaints.
 */
export type SignalRule = z.infer<Schemas['SignalRule']>;
/** When shopping signals after a purchase mean a returning customer (ReturningRule above). */
export type ReturningRule = z.infer<Schemas['ReturningRule']>;
export type JourneyModel = z.infer<Schemas['JourneyModel']>;

let schemas: Schemas | undefined;
export const journeySchemas = (): Schemas => {
  schemas ??= buildSchemas();
  return schemas;
};

/** A valid model, with the lookups the engine needs precomputed. */
export interface CompiledModel {
  readonly model: JourneyModel;
  readonly purchaseStage: string;
  readonly preRank: ReadonlyMap<string, number>;
  readonly rulesByEvent: ReadonlyMap<string, readonly SignalRule[]>;
  /** eventKey() of every alias and canonical name → the canonical name. */
  readonly eventNames: ReadonlyMap<string, string>;
  readonly stages: ReadonlyMap<string, StageDefinition>;
}

/** Validates a journey model and precomputes its lookups; throws a zod error ($ZodError: the model is zod/mini) naming the bad field. */
export function compileModel(input: unknown): CompiledModel {
  return indexModel(journeySchemas().JourneyModel.parse(input));
}

/**
 * Precomputes the lookups of a model that is already valid, without parsing it: the built-in
 * model (index.ts), which test/unit/engine.test.ts checks parses to itself. Validating a
 * constant at every cold start does no work any request needs.
 */
export function indexModel(model: JourneyModel): CompiledModel {
  const rulesByEvent = new Map<string, SignalRule[]>();
  for (const rule of model.rules) {
    const list = rulesByEvent.get(rule.event) ?? [];
    list.push(rule);
    rulesByEvent.set(rule.event, list);
  }
  const pre = model.stages.filter((s) => s.phase === 'pre');
  const eventNames = new Map<string, string>();
  for (const rule of model.rules) eventNames.set(eventKey(rule.event), rule.event);
  for (const [name, canonical] of Object.entries(model.eventAliases)) {
    eventNames.set(eventKey(canonical), canonical);
    eventNames.set(eventKey(name), canonical);
  }
  return {
    eventNames,
    model,
    purchaseStage: model.stages.find((s) => s.phase === 'purchase')!.name,
    preRank: new Map(pre.map((s, i) => [s.name, i])),
    rulesByEvent,
    stages: new Map(model.stages.map((s) => [s.name, s])),
  };
}
