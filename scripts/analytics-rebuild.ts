import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { assertTimeZone } from '../lib/analytics/calendar.js';
import { DynamoDbAnalyticsStore } from '../lib/analytics/dynamodb-analytics-store.js';
import { AnalyticsProjector } from '../lib/analytics/project.js';
import { KeyAdminError, resolveTarget } from '../lib/auth/aws-key-admin.js';
import { defaultModel } from '../lib/journey/index.js';

const USAGE = `Usage: npm run analytics:rebuild -- [options]

Recomputes every customer's analytics contribution from the stored profiles and touchpoints
and applies the differences to the report aggregates. Safe to run at any time, also while the
stream projector runs: a customer already counted changes nothing (idempotent). Interrupted,
it resumes where it stopped; --restart starts over.

Where (default: the local stack \`npm start\` is running)
  --stage dev|prod      a deployed stage (needs AWS credentials); --region <region>
  --table <name>        a table by name; add --endpoint <url> for a DynamoDB Local

Settings (must match the deployment's, see docs/analytics.md)
  --timezone <IANA>     report time zone (default STAGEFLOW_REPORT_TIMEZONE or UTC)
  --currency <ISO>      currency of purchases naming none (default STAGEFLOW_CURRENCY or USD)
  --concurrency <n>     customers projected at once (default 8)
  --restart             ignore a saved position and start from the beginning`;

const say = (line: string) => process.stderr.write(`analytics:rebuild: ${line}\n`);

function fail(message: string, code = 1): never {
  say(message);
  process.exit(code);
}

interface Progress {
  cursor: string | null;
  customers: number;
  changed: number;
  pages: number;
  done: boolean;
}

async function main(argv: string[]) {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const timeZone = values.timezone ?? process.env.STAGEFLOW_REPORT_TIMEZONE ?? 'UTC';
  const currency = (values.currency ?? process.env.STAGEFLOW_CURRENCY ?? 'USD').toUpperCase();
  try {
    assertTimeZone(timeZone);
  } catch {
    fail(`--timezone "${timeZone}" is not an IANA time zone (Europe/Berlin, UTC, …)`, 2);
  }
  if (!/^[A-Z]{3}$/.test(currency)) fail(`--currency "${currency}" is not an ISO 4217 code`, 2);
  const concurrency = Number(values.concurrency ?? 8);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    fail('--concurrency is 1..64', 2);

  const target = await resolveTarget(
    { stage: values.stage, table: values.table, endpoint: values.endpoint, region: values.region },
    say,
  );
  say(`using ${target.where}; report time zone ${timeZone}, default currency ${currency}`);
  const file = join('.stageflow', `analytics-rebuild-${target.tableName}.json`);
  let progress: Progress = { cursor: null, customers: 0, changed: 0, pages: 0, done: false };
  if (!values.restart && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Progress;
    if (!saved.done) {
      progress = saved;
      say(`resuming after ${saved.customers} customers (${file}); --restart starts over`);
    }
  }
  const save = () => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(progress, null, 2)}\n`);
  };

  const table = await target.client.send(new DescribeTableCommand({ TableName: target.tableName }));
  const approxItems = table.Table?.ItemCount ?? 0;
  const store = new DynamoDbAnalyticsStore(target.client, target.tableName);
  const projector = new AnalyticsProjector(store, defaultModel, { timeZone, currency });
  const started = Date.now();
  try {
    do {
      const page = await store.customers(progress.cursor);
      const queue = [...page.customerIds];
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            if (await projector.project(id)) progress.changed++;
            progress.customers++;
          }
        }),
      );
      progress.cursor = page.cursor;
      progress.pages++;
      save();
      const rate = progress.customers / Math.max(1, (Date.now() - started) / 1000);
      say(
        `page ${progress.pages}: ${progress.customers} customers, ${progress.changed} changed ` +
          `(${rate.toFixed(0)}/s; the table holds about ${approxItems} items)`,
      );
    } while (progress.cursor);
    // Reports refuse to answer while an earlier layout's aggregates exist and this is missing.
    await store.markLayoutRebuilt();
    progress.done = true;
    save();
    say(
      `done: ${progress.customers} customers, ${progress.changed} changed. Running it again changes nothing.`,
    );
    rmSync(file, { force: true });
  } finally {
    target.client.destroy();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    options: {
      stage: { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      timezone: { type: 'string' },
      currency: { type: 'string' },
      concurrency: { type: 'string' },
      restart: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof KeyAdminError) fail(error.message);
  fail(`unexpected error: ${(error as Error).stack ?? String(error)}`);
});
