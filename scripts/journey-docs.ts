import { journeyMarkdown } from '../lib/journey/docs.js';
import { defaultModel } from '../lib/journey/index.js';
import { writeOrCheck } from './generated-file.js';

/** `npm run docs:journey` writes docs/journey.md; `-- --check` fails when the file is stale. */
writeOrCheck('docs/journey.md', journeyMarkdown(defaultModel), 'npm run docs:journey');
