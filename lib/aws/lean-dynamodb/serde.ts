/**
 * The request bodies of the DynamoDB operations the lean client supports, written byte for
 * byte as `@aws-sdk/client-dynamodb` writes them (its awsJson1_0 codec, DynamoDBJsonCodec2):
 * a structure's members in the model's order whatever the input's order, null and undefined
 * members left out, maps and attribute values in the input's order, binary values (`B`, `BS`)
 * as base64. test/contract/lean-dynamodb-wire.test.ts checks each operation against the SDK.
 *
 * A member the table does not list (the legacy `Expected`, `AttributeUpdates`,
 * `KeyConditions`, `QueryFilter`, `AttributesToGet` parameters, or a typo) throws a clear
 * error instead of being dropped as the SDK would drop an unknown one.
 */

/** How a member is written: a scalar, an attribute-value map, a string map, a structure, a list or map of one. */
type Shape = 'scalar' | 'item' | 'strings' | Struct | { list: Shape } | { map: Shape };
type Struct = { readonly [member: string]: Shape };

const NAMES_VALUES = { ExpressionAttributeNames: 'strings', ExpressionAttributeValues: 'item' } as const;
const ON_FAILURE = { ReturnValuesOnConditionCheckFailure: 'scalar' } as const;

const CONDITION_CHECK: Struct = {
  Key: 'item',
  TableName: 'scalar',
  ConditionExpression: 'scalar',
  ...NAMES_VALUES,
  ...ON_FAILURE,
};
const PUT: Struct = {
  Item: 'item',
  TableName: 'scalar',
  ConditionExpression: 'scalar',
  ...NAMES_VALUES,
  ...ON_FAILURE,
};
const DELETE: Struct = {
  Key: 'item',
  TableName: 'scalar',
  ConditionExpression: 'scalar',
  ...NAMES_VALUES,
  ...ON_FAILURE,
};
const UPDATE: Struct = {
  Key: 'item',
  UpdateExpression: 'scalar',
  TableName: 'scalar',
  ConditionExpression: 'scalar',
  ...NAMES_VALUES,
  ...ON_FAILURE,
};
const KEYS_AND_ATTRIBUTES: Struct = {
  Keys: { list: 'item' },
  ConsistentRead: 'scalar',
  ProjectionExpression: 'scalar',
  ExpressionAttributeNames: 'strings',
};
const WRITE_REQUEST: Struct = { PutRequest: { Item: 'item' }, DeleteRequest: { Key: 'item' } };

/** Each supported operation's input, members in the model's order (the SDK's schemas_0.js). */
export const INPUTS: Readonly<Record<string, Struct>> = {
  GetItem: {
    TableName: 'scalar',
    Key: 'item',
    ConsistentRead: 'scalar',
    ReturnConsumedCapacity: 'scalar',
    ProjectionExpression: 'scalar',
    ExpressionAttributeNames: 'strings',
  },
  PutItem: {
    TableName: 'scalar',
    Item: 'item',
    ReturnValues: 'scalar',
    ReturnConsumedCapacity: 'scalar',
    ReturnItemCollectionMetrics: 'scalar',
    ConditionExpression: 'scalar',
    ...NAMES_VALUES,
    ...ON_FAILURE,
  },
  UpdateItem: {
    TableName: 'scalar',
    Key: 'item',
    ReturnValues: 'scalar',
    ReturnConsumedCapacity: 'scalar',
    ReturnItemCollectionMetrics: 'scalar',
    UpdateExpression: 'scalar',
    ConditionExpression: 'scalar',
    ...NAMES_VALUES,
    ...ON_FAILURE,
  },
  Query: {
    TableName: 'scalar',
    IndexName: 'scalar',
    Select: 'scalar',
    Limit: 'scalar',
    ConsistentRead: 'scalar',
    ScanIndexForward: 'scalar',
    ExclusiveStartKey: 'item',
    ReturnConsumedCapacity: 'scalar',
    ProjectionExpression: 'scalar',
    FilterExpression: 'scalar',
    KeyConditionExpression: 'scalar',
    ...NAMES_VALUES,
  },
  BatchGetItem: { RequestItems: { map: KEYS_AND_ATTRIBUTES }, ReturnConsumedCapacity: 'scalar' },
  BatchWriteItem: {
    RequestItems: { map: { list: WRITE_REQUEST } },
    ReturnConsumedCapacity: 'scalar',
    ReturnItemCollectionMetrics: 'scalar',
  },
  TransactWriteItems: {
    TransactItems: { list: { ConditionCheck: CONDITION_CHECK, Put: PUT, Delete: DELETE, Update: UPDATE } },
    ReturnConsumedCapacity: 'scalar',
    ReturnItemCollectionMetrics: 'scalar',
    ClientRequestToken: 'scalar',
  },
};

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** An attribute value as DynamoDBJsonCodec2 writes it: its keys in input order, B/BS base64. */
function attributeValue(av: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key in av) {
    const v = av[key];
    if (v == null) continue;
    let out: string;
    if (key === 'B') out = JSON.stringify(v instanceof Uint8Array ? base64(v) : v);
    else if (key === 'BS') out = `[${(v as Uint8Array[]).map((b) => JSON.stringify(base64(b))).join(',')}]`;
    else if (key === 'L') {
      out = `[${(v as (Record<string, unknown> | null)[]).map((x) => (x == null ? 'null' : attributeValue(x))).join(',')}]`;
    } else if (key === 'M')
      out = mapOf(v as Record<string, unknown>, (x) => attributeValue(x as Record<string, unknown>));
    else if (key === 'NULL') out = v ? 'true' : 'false';
    else out = JSON.stringify(v);
    parts.push(`${JSON.stringify(key)}:${out}`);
  }
  return `{${parts.join(',')}}`;
}

function mapOf(map: Record<string, unknown>, write: (value: unknown) => string): string {
  const parts: string[] = [];
  for (const key in map) if (map[key] != null) parts.push(`${JSON.stringify(key)}:${write(map[key])}`);
  return `{${parts.join(',')}}`;
}

function write(shape: Shape, value: unknown, path: string): string {
  if (shape === 'scalar') return JSON.stringify(value);
  if (shape === 'item')
    return mapOf(value as Record<string, unknown>, (v) => attributeValue(v as Record<string, unknown>));
  if (shape === 'strings') return mapOf(value as Record<string, unknown>, (v) => JSON.stringify(v));
  if ('list' in shape && typeof shape.list !== 'undefined' && Array.isArray(value)) {
    return `[${value.map((v, i) => (v == null ? 'null' : write(shape.list as Shape, v, `${path}[${i}]`))).join(',')}]`;
  }
  if ('map' in shape && typeof shape.map !== 'undefined') {
    return mapOf(value as Record<string, unknown>, (v) => write(shape.map as Shape, v, `${path}{}`));
  }
  return struct(shape as Struct, value as Record<string, unknown>, path);
}

function struct(shape: Struct, value: Record<string, unknown>, path: string): string {
  for (const key in value) {
    if (!(key in shape)) {
      throw new Error(
        `lean DynamoDB client: ${path}.${key} is not supported (lib/aws/lean-dynamodb/serde.ts)`,
      );
    }
  }
  const parts: string[] = [];
  for (const member in shape) {
    const v = value[member];
    if (v != null) parts.push(`${JSON.stringify(member)}:${write(shape[member], v, `${path}.${member}`)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The JSON body of `operation` with `input`, as the SDK would send it. */
export function serializeInput(operation: string, input: Record<string, unknown>): string {
  const shape = INPUTS[operation];
  if (!shape) throw new Error(`lean DynamoDB client: the ${operation} operation is not supported`);
  return struct(shape, input, operation);
}

/**
 * A response body parsed as the SDK parses it for these operations: JSON, with every binary
 * attribute value (`{"B": "base64"}`, `{"BS": [...]}`) decoded to a Uint8Array. Only attribute
 * values have members named B or BS, and an attribute value has exactly one member.
 */
export function parseOutput(text: string): Record<string, unknown> {
  if (!text) return {};
  return JSON.parse(text, function (this: Record<string, unknown>, key, value) {
    if (key === 'B' && typeof value === 'string' && Object.keys(this).length === 1) return fromBase64(value);
    if (key === 'BS' && Array.isArray(value) && Object.keys(this).length === 1) {
      return value.map((v) => fromBase64(v as string));
    }
    return value;
  });
}

const fromBase64 = (text: string): Uint8Array => {
  const buf = Buffer.from(text, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
};
