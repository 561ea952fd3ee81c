import { parseArgs } from 'node:util';
import {
  CognitoConsoleUsers,
  cloudFormationOutputs,
  cognitoClient,
  resolveUserPool,
  USER_POOL_OUTPUT,
} from '../lib/auth/aws-console-users.js';
import { statefulStackName } from '../lib/auth/aws-key-admin.js';
import { type ConsoleUserView, UserAdminError, userCommand } from '../lib/auth/console-users.js';
import { GROUP_SCOPES } from '../lib/auth/user-tokens.js';
import { textTable } from './text-table.js';

const USAGE = `Usage: npm run users -- <command> [options]

The deployed console's people, in the stage's Cognito user pool. (Locally there is no pool:
sign in to the console with an admin or read key from \`npm run keys\`.)

Commands
  create --email <address> --group marketers|viewers
                      create the user; Cognito mails them a temporary password. marketers get
                      the admin scope, viewers read. An existing user is added to the group.
  list [--json]       every user: email, groups, status, enabled, created
  delete --email <address>
                      delete the user; their access token stops working within the hour

Where
  --stage dev|prod    the stage (default dev): the pool named by the ${USER_POOL_OUTPUT} output of
                      stack ${statefulStackName('<stage>')} (needs AWS credentials)
  --region <region>   the region of the deployed stack (default: AWS_REGION or your profile's)

Examples
  npm run users -- create --email mara@shop.example --group marketers --stage prod
  npm run users -- list --stage dev
  npm run users -- delete --email vic@shop.example`;

const progress = (line: string) => process.stderr.write(`users: ${line}\n`);

function fail(message: string, code = 1): never {
  process.stderr.write(`users: ${message}\n`);
  process.exit(code);
}

function table(users: ConsoleUserView[]): string {
  const rows = [
    ['EMAIL', 'GROUPS', 'STATUS', 'ENABLED', 'CREATED'],
    ...users.map((u) => [
      u.email,
      u.groups.join(',') || '-',
      u.status,
      u.enabled ? 'yes' : 'no',
      u.createdAt ?? '-',
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
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return;
  }
  let command: ReturnType<typeof userCommand>;
  try {
    // Usage errors before any AWS call.
    command = userCommand({ positionals, email: values.email, group: values.group, json: values.json });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, 2);
  }

  const stage = values.stage ?? 'dev';
  progress(`reading the user pool from stack ${statefulStackName(stage)}…`);
  const target = await resolveUserPool(stage, cloudFormationOutputs(values.region));
  progress(`using ${target.where}`);
  const client = cognitoClient(values.region);
  const users = new CognitoConsoleUsers(client, target.userPoolId);
  try {
    if (command.command === 'create') {
      const { created } = await users.create(command.email, command.group);
      const scope = GROUP_SCOPES[command.group];
      if (created) {
        progress(
          `created ${command.email} in ${command.group} (${scope}); Cognito has mailed them a temporary password`,
        );
      } else {
        progress(`${command.email} existed already; added to ${command.group} (${scope})`);
      }
      if (target.consoleUrl) progress(`they sign in at ${target.consoleUrl}`);
      console.log(command.email);
    } else if (command.command === 'list') {
      const list = await users.list();
      if (values.json) console.log(JSON.stringify(list, null, 2));
      else if (list.length === 0)
        progress('no users yet: `npm run users -- create --email <address> --group marketers`');
      else console.log(table(list));
    } else {
      await users.delete(command.email);
      progress(
        `deleted ${command.email}; tokens already issued stay valid until they expire (at most an hour)`,
      );
    }
  } finally {
    client.destroy();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      email: { type: 'string' },
      group: { type: 'string' },
      json: { type: 'boolean' },
      stage: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UserAdminError) fail(error.message);
  fail(`unexpected error: ${(error as Error).stack ?? String(error)}`);
});
