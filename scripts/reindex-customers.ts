import { parseArgs } from 'node:util';
import { KeyAdminError, resolveTarget } from '../lib/auth/aws-key-admin.js';
import { reindexCustomerLists } from '../lib/customers/dynamodb-reindex-lists.js';

const USAGE = `Usage: npm run customers:reindex -- [--stage dev|prod] [--table <name> [--endpoint <url>]] [--region <r>]

Writes the customer-list keys onto every stored profile, so customers stored before GET /v1/customers
existed appear in its lists. Run it once after upgrading (README: Upgrading). Idempotent: run it again
if it was cut short. Default: the local stack \`npm start\` is running.`;

const say = (line: string) => process.stderr.write(`customers:reindex: ${line}\n`);

async function main() {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        stage: { type: 'string' },
        table: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    say(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const target = await resolveTarget(
    {
      stage: values.stage as string | undefined,
      table: values.table as string | undefined,
      endpoint: values.endpoint as string | undefined,
      region: values.region as string | undefined,
    },
    say,
  );
  say(`reindexing the profiles in ${target.where}…`);
  const done = await reindexCustomerLists(target.client, target.tableName, (p) =>
    say(
      `${p.scanned} items scanned, ${p.profiles} profiles, ${p.updated} updated, ${p.skipped} changed meanwhile`,
    ),
  );
  say(
    `done: ${done.updated} profiles updated, ${done.skipped} were rewritten by ingest meanwhile (they have the keys)`,
  );
}

await main().catch((error: unknown) => {
  if (error instanceof KeyAdminError) {
    say(error.message);
    process.exit(1);
  }
  throw error;
});
