import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { LIST_PROJECTION, TABLE_INDEXES } from '../lib/storage/table.js';
import { itemSize } from './capacity.js';

/** Write units of an item of `bytes`: 1 per started KB. */
export const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/**
 * Index writes one profile write causes on the customer-list indexes (lib/storage/table.ts),
 * from the stream's old and new images: a new entry is a put, a moved key a delete and a put,
 * a changed projected attribute an update; each 1 WCU per started KB of the entry.
 */
export function indexWcu(
  oldImage: Record<string, AttributeValue> | undefined,
  newImage: Record<string, AttributeValue> | undefined,
): number {
  let wcu = 0;
  const entry = (img: Record<string, AttributeValue>, index: (typeof TABLE_INDEXES)[number]) =>
    kb(
      itemSize(
        Object.fromEntries(
          ['pk', 'sk', index.partitionKey, index.sortKey, ...LIST_PROJECTION]
            .filter((k) => img[k] !== undefined)
            .map((k) => [k, img[k]]),
        ),
      ),
    );
  const same = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
    JSON.stringify(a) === JSON.stringify(b);
  for (const index of TABLE_INDEXES) {
    const inOld = oldImage?.[index.partitionKey] !== undefined && oldImage?.[index.sortKey] !== undefined;
    const inNew = newImage?.[index.partitionKey] !== undefined && newImage?.[index.sortKey] !== undefined;
    if (inOld && inNew && oldImage && newImage) {
      const moved =
        !same(oldImage[index.partitionKey], newImage[index.partitionKey]) ||
        !same(oldImage[index.sortKey], newImage[index.sortKey]);
      if (moved) wcu += entry(oldImage, index) + entry(newImage, index);
      else if (LIST_PROJECTION.some((k) => !same(oldImage[k], newImage[k]))) wcu += entry(newImage, index);
    } else if (inOld && oldImage) wcu += entry(oldImage, index);
    else if (inNew && newImage) wcu += entry(newImage, index);
  }
  return wcu;
}
