import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { breakingChanges } from './compat.js';
import { contractFiles, DETAIL_TYPES, detailJsonSchema, sampleEvent } from './contracts.js';

// `npm run events:schemas`: regenerates events/schemas and events/samples from the zod schemas.
// It refuses a breaking change unless `-- --allow-breaking` is given: breaking an event means
// a new detail type or a coordinated change of every consumer, never a quiet regeneration.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const allowBreaking = process.argv.includes('--allow-breaking');

const write = (path: string, value: unknown) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote ${path}`);
};

let refused = false;
for (const detailType of DETAIL_TYPES) {
  const files = contractFiles(detailType);
  const schema = detailJsonSchema(detailType);
  const committedPath = join(root, files.schema);
  if (existsSync(committedPath)) {
    const changes = breakingChanges(JSON.parse(readFileSync(committedPath, 'utf8')), schema);
    if (changes.length > 0 && !allowBreaking) {
      refused = true;
      console.error(`${files.schema}: breaking change, not written:`);
      for (const c of changes) console.error(`  ${c.path}: ${c.reason}`);
      continue;
    }
  }
  write(files.schema, schema);
  write(files.sample, sampleEvent(detailType));
}
// The samples are checked by biome like any file (the schemas are excluded): format them its way.
const samples = DETAIL_TYPES.map((t) => contractFiles(t).sample);
execFileSync(join(root, 'node_modules', '.bin', 'biome'), ['format', '--write', ...samples], {
  cwd: root,
  stdio: 'ignore',
});
if (refused) {
  console.error('Rerun with `npm run events:schemas -- --allow-breaking` once every consumer is ready.');
  process.exit(1);
}
