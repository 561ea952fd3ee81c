import type { AttributeValue, TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB Local answers ReturnConsumedCapacity with a nominal figure (2 units for a whole
 * transaction of any size), so the bench also prices the items by DynamoDB's published rules.
 */
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Bytes of one attribute value as DynamoDB counts them. */
export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.L) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + utf8(k) + valueSize(e), 0);
  return 0;
}

export const itemSize = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((n, [k, v]) => n + utf8(k) + valueSize(v), 0);

/** WCU a transaction costs on DynamoDB: 2 per item per started KB (transactions write twice). */
export function transactionWcu(input: TransactWriteItemsCommandInput): number {
  let wcu = 0;
  for (const t of input.TransactItems ?? []) {
    const item = t.Put?.Item ?? t.Update?.Key ?? t.Delete?.Key ?? t.ConditionCheck?.Key ?? {};
    wcu += 2 * Math.max(1, Math.ceil(itemSize(item) / 1024));
  }
  return wcu;
}
