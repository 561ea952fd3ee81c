import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { breakingChanges } from './compat.js';
import { contractFiles, DETAIL_TYPES, detailJsonSchema } from './contracts.js';
import { EVENT_SCHEMAS, EVENT_SOURCE } from './index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'));

describe('Event contracts', () => {
  describe.each(DETAIL_TYPES)('%s', (detailType) => {
    const files = contractFiles(detailType);

    it('has a committed JSON Schema and sample', () => {
      expect(existsSync(join(root, files.schema)), `${files.schema}: run npm run events:schemas`).toBe(true);
      expect(existsSync(join(root, files.sample)), `${files.sample}: run npm run events:schemas`).toBe(true);
    });

    it('makes no breaking change to the committed schema', () => {
      const changes = breakingChanges(committed(files.schema), detailJsonSchema(detailType));

      expect(changes, 'breaking change: add a new detail type or migrate every consumer first').toEqual([]);
    });

    it('matches the committed schema, so every change is committed on purpose', () => {
      expect(detailJsonSchema(detailType), 'run npm run events:schemas and commit the result').toEqual(
        committed(files.schema),
      );
    });

    it('has a sample that is a complete EventBridge event whose detail the zod schema accepts', () => {
      const sample = committed(files.sample);

      expect(Object.keys(sample).sort()).toEqual(
        ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'].sort(),
      );
      expect(sample).toMatchObject({ version: '0', source: EVENT_SOURCE, 'detail-type': detailType });
      expect(EVENT_SCHEMAS[detailType].safeParse(sample.detail).error?.issues ?? []).toEqual([]);
    });
  });
});
