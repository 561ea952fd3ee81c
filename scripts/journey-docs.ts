import { readFileSync, writeFileSync } from 'node:fs';
import { journeyMarkdown } from '../lib/journey/docs.js';
import { defaultModel } from '../lib/journey/index.js';

/** `npm run docs:journey` writes docs/journey.md; `-- --check` fails when the file is stale. */
const FILE = 'docs/journey.md';
const wanted = journeyMarkdown(defaultModel);
let current = '';
try {
  current = readFileSync(FILE, 'utf8');
} catch {
  // Not written yet.
}
if (process.argv.includes('--check')) {
  if (current !== wanted) {
    console.error(`${FILE} is stale: run \`npm run docs:journey\` and commit it`);
    process.exit(1);
  }
  console.log(`${FILE} is up to date`);
} else if (current === wanted) {
  console.log(`${FILE} is up to date`);
} else {
  writeFileSync(FILE, wanted);
  console.log(`wrote ${FILE}`);
}
