/** A JSON Schema document or subschema, as z.toJSONSchema writes it. */
export type JsonSchema = Record<string, unknown>;

/** One change that would break a consumer of the event or a replay of archived events. */
export interface BreakingChange {
  path: string;
  reason: string;
}

/**
 * Structural backward-compatibility check of two JSON Schemas of the same event detail.
 * Breaking: a property removed, a property newly required (a replayed archived event lacks
 * it), a type changed, enum values removed, a constant changed. A new optional property or a
 * new enum value is compatible. Covers what z.toJSONSchema emits: objects, arrays, type
 * lists, anyOf unions (nullable objects), enum and const.
 */
export function breakingChanges(previous: JsonSchema, next: JsonSchema, path = '$'): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const before = typesOf(previous);
  const after = typesOf(next);
  if (!sameSet(before, after)) {
    changes.push({ path, reason: `type changed from ${[...before].join('|')} to ${[...after].join('|')}` });
    return changes;
  }

  const oldEnum = enumOf(previous);
  const newEnum = enumOf(next);
  if (newEnum) {
    const removed = oldEnum ? oldEnum.filter((v) => !newEnum.some((n) => n === v)) : null;
    if (removed === null) changes.push({ path, reason: 'values newly restricted to an enum' });
    else if (removed.length > 0) changes.push({ path, reason: `enum values removed: ${removed.join(', ')}` });
  }
  if ('const' in previous && previous.const !== next.const) {
    changes.push({
      path,
      reason: `constant changed from ${String(previous.const)} to ${String(next.const)}`,
    });
  }

  const oldObject = objectPart(previous);
  const newObject = objectPart(next);
  if (oldObject && newObject) {
    const oldProps = (oldObject.properties ?? {}) as Record<string, JsonSchema>;
    const newProps = (newObject.properties ?? {}) as Record<string, JsonSchema>;
    const oldRequired = new Set((oldObject.required ?? []) as string[]);
    for (const [name, schema] of Object.entries(oldProps)) {
      if (!(name in newProps)) changes.push({ path: `${path}.${name}`, reason: 'property removed' });
      else changes.push(...breakingChanges(schema, newProps[name], `${path}.${name}`));
    }
    for (const name of (newObject.required ?? []) as string[]) {
      if (!oldRequired.has(name)) {
        changes.push({
          path: `${path}.${name}`,
          reason: name in oldProps ? 'property newly required' : 'new property is required',
        });
      }
    }
  }

  const oldItems = arrayItems(previous);
  const newItems = arrayItems(next);
  if (oldItems && newItems) changes.push(...breakingChanges(oldItems, newItems, `${path}[]`));
  return changes;
}

function variants(schema: JsonSchema): JsonSchema[] {
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return union ? union.flatMap(variants) : [schema];
}

function typesOf(schema: JsonSchema): Set<string> {
  const types = new Set<string>();
  for (const v of variants(schema)) {
    if (typeof v.type === 'string') types.add(v.type);
    else if (Array.isArray(v.type)) for (const t of v.type) types.add(t as string);
    else if ('const' in v) types.add(v.const === null ? 'null' : typeof v.const);
    else if (Array.isArray(v.enum)) for (const e of v.enum) types.add(e === null ? 'null' : typeof e);
    else types.add('any');
  }
  return types;
}

function enumOf(schema: JsonSchema): unknown[] | null {
  const values = variants(schema).flatMap((v) => (Array.isArray(v.enum) ? v.enum : []));
  return values.length > 0 ? values : null;
}

function objectPart(schema: JsonSchema): JsonSchema | undefined {
  return variants(schema).find((v) => v.type === 'object' || 'properties' in v);
}

function arrayItems(schema: JsonSchema): JsonSchema | undefined {
  const array = variants(schema).find((v) => v.type === 'array');
  return array?.items as JsonSchema | undefined;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
