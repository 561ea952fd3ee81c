import { readFileSync, writeFileSync } from 'node:fs';
import { openApiJson } from '../lib/http/openapi.js';

/** `npm run openapi` writes docs/openapi.json; `-- --check` fails when the file is stale. */
const FILE = 'docs/openapi.json';
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const wanted = openApiJson(version);
let current = '';
try {
  current = readFileSync(FILE, 'utf8');
} catch {
  // Not written yet.
}
if (process.argv.includes('--check')) {
  if (current !== wanted) {
    console.error(`${FILE} is stale: run \`npm run openapi\` and commit it`);
    process.exit(1);
  }
  console.log(`${FILE} is up to date`);
} else if (current === wanted) {
  console.log(`${FILE} is up to date`);
} else {
  writeFileSync(FILE, wanted);
  console.log(`wrote ${FILE}`);
}
