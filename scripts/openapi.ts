import { readFileSync } from 'node:fs';
import { openApiJson } from '../api/openapi.js';
import { writeOrCheck } from './generated-file.js';

/** `npm run openapi` writes docs/openapi.json; `-- --check` fails when the file is stale. */
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
writeOrCheck('docs/openapi.json', openApiJson(version), 'npm run openapi');
