import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { breakingChanges } from './compat.js';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input' }) as Record<string, unknown>;

const V1 = z.object({
  eventId: z.string(),
  customerId: z.string(),
  role: z.enum(['referrer', 'friend']),
  orderId: z.string().nullable(),
  note: z.string().optional(),
  address: z.object({ city: z.string(), zip: z.string().optional() }).nullable(),
  productIds: z.array(z.string()),
});

describe('Function: breakingChanges', () => {
  it('returns nothing for the same schema', () => {
    expect(breakingChanges(schema(V1), schema(V1))).toEqual([]);
  });

  it('accepts a new optional property and a new enum value', () => {
    const next = V1.extend({
      reward: z.string().optional(),
      role: z.enum(['referrer', 'friend', 'partner']),
    });

    expect(breakingChanges(schema(V1), schema(next))).toEqual([]);
  });

  it('reports every breaking change of a deliberately broken schema', () => {
    const broken = z.object({
      eventId: z.number(), // type changed
      customerId: z.string(),
      role: z.enum(['referrer']), // enum value removed
      orderId: z.string(), // null no longer allowed: a type change
      note: z.string(), // newly required
      address: z.object({ city: z.string(), zip: z.string() }).nullable(), // nested newly required
      productIds: z.array(z.number()), // item type changed
      tier: z.string(), // new and required
    });
    const previous = V1.extend({ gone: z.string() }); // "gone" is removed

    const changes = breakingChanges(schema(previous), schema(broken));

    expect(changes).toEqual(
      expect.arrayContaining([
        { path: '$.eventId', reason: 'type changed from string to number' },
        { path: '$.role', reason: 'enum values removed: friend' },
        { path: '$.orderId', reason: 'type changed from string|null to string' },
        { path: '$.note', reason: 'property newly required' },
        { path: '$.address.zip', reason: 'property newly required' },
        { path: '$.productIds[]', reason: 'type changed from string to number' },
        { path: '$.gone', reason: 'property removed' },
        { path: '$.tier', reason: 'new property is required' },
      ]),
    );
    expect(changes).toHaveLength(8);
  });

  it('reports a widened type, since old consumers never expected it', () => {
    const next = V1.extend({ customerId: z.string().nullable() });

    expect(breakingChanges(schema(V1), schema(next))).toEqual([
      { path: '$.customerId', reason: 'type changed from string to string|null' },
    ]);
  });
});
