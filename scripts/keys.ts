import { parseArgs } from 'node:util';
import { SCOPES, type Scope } from '../lib/auth/api-keys.js';
import {
  createApiKey,
  KeyAdminError,
  type KeyView,
  listApiKeys,
  resolveTarget,
  revokeApiKey,
  statefulStackName,
  TABLE_NAME_OUTPUT,
} from '../lib/auth/aws-key-admin.js';
import { textTable } from './text-table.js';

const USAGE = `Usage: npm run keys -- <command> [options]

Commands
  create --name <name> --scope ingest|admin|read [--rate-limit <requests/s>]
                      create a key; it is printed once and never stored in plain text
  list [--json]       every key: id, name, scope, created, revoked (never the key or its hash)
  revoke <keyId>      revoke a key; requests with it get 401 once the auth caches expire

Where (default: the local stack \`npm start\` is running, found through .stageflow/local.json)
  --stage dev|prod    a deployed stage: the table named by the ${TABLE_NAME_OUTPUT} output of stack
                      ${statefulStackName('<stage>')} (needs AWS credentials)
  --table <name>      a table by name; add --endpoint <url> for a DynamoDB Local
  --region <region>   the region of the deployed stack (default: AWS_REGION or your profile's)

Examples
  npm run keys -- create --name "shop-berlin" --scope ingest
  npm run keys -- create --name "ops" --scope admin --stage prod --region eu-central-1
  npm run keys -- list --stage dev
  npm run keys -- revoke 3f2a9c01b7de --stage dev`;

const progress = (line: string) => process.stderr.write(`keys: ${line}\n`);

function fail(message: string, code = 1): never {
  process.stderr.write(`keys: ${message}\n`);
  process.exit(code);
}

function table(views: KeyView[]): string {
  const rows = [
    ['KEY ID', 'NAME', 'SCOPE', 'CREATED', 'REVOKED', 'RATE LIMIT'],
    ...views.map((v) => [
      v.keyId,
      v.name,
      v.scope,
      v.createdAt,
      v.revokedAt ?? '-',
      v.rateLimit ? `${v.rateLimit}/s` : 'default',
    ]),
  ];
  return textTable(rows);
}

async function main(argv: string[]) {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (!['create', 'list', 'revoke'].includes(command)) fail(`unknown command "${command}"\n\n${USAGE}`, 2);
  // Usage errors before any AWS call.
  if (command === 'create') {
    if (!values.name) fail('create needs --name <name> (the shop or source the key is for)', 2);
    if (!(SCOPES as readonly string[]).includes(values.scope ?? ''))
      fail('create needs --scope ingest|admin|read (read: the console viewer, every GET, no writes)', 2);
  }
  if (command === 'revoke' && !rest[0])
    fail('revoke needs a key id: `npm run keys -- revoke <keyId>` (see `list`)', 2);

  const target = await resolveTarget(
    { stage: values.stage, table: values.table, endpoint: values.endpoint, region: values.region },
    progress,
  );
  progress(`using ${target.where}`);
  try {
    await run(command, rest, values, target);
  } finally {
    target.client.destroy();
  }
}

async function run(
  command: string,
  rest: string[],
  values: ReturnType<typeof parse>['values'],
  target: Awaited<ReturnType<typeof resolveTarget>>,
) {
  if (command === 'create') {
    const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
    const { key, view } = await createApiKey(target.store, {
      name: values.name ?? '',
      scope: values.scope as Scope,
      rateLimit,
      createdBy: 'npm run keys',
    });
    progress(`created ${view.scope} key ${view.keyId} "${view.name}"`);
    progress('the key is shown this once; only its SHA-256 hash is stored. Keep it in a secret store.');
    console.log(key);
    return;
  }
  if (command === 'list') {
    const views = await listApiKeys(target.store);
    if (values.json) console.log(JSON.stringify(views, null, 2));
    else if (views.length === 0)
      progress('no keys yet: `npm run keys -- create --name <name> --scope ingest`');
    else console.log(table(views));
    return;
  }
  const keyId = rest[0];
  const { outcome, view } = await revokeApiKey(target.store, keyId, new Date(), 'npm run keys');
  if (outcome === 'already-revoked') progress(`key ${keyId} was revoked already, at ${view.revokedAt}`);
  else {
    progress(`revoked ${view.scope} key ${keyId} "${view.name}" at ${view.revokedAt}`);
    progress('requests with it get 401 once cached authorizations expire (docs/security.md)');
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string' },
      'rate-limit': { type: 'string' },
      json: { type: 'boolean' },
      stage: { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof KeyAdminError) fail(error.message);
  fail(`unexpected error: ${(error as Error).stack ?? String(error)}`);
});
