import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { createDynamoClient } from '../aws/clients.js';
import { type ApiKeyRecord, createKey, type KeyStore, SCOPES, type Scope } from './api-keys.js';
import { DynamoDbKeyStore } from './dynamodb-key-store.js';

/**
 * Key management for `npm run keys` (scripts/keys.ts) and the console's /v1/keys routes
 * (functions/keys.ts): where the keys live, and create, list and revoke.
 */

/** POST /v1/keys: what `npm run keys -- create` takes. */
export const CreateKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scope: z.enum(SCOPES),
    rateLimit: z.number().positive().optional(),
  })
  .strict();

/** Where `npm start` records its endpoints while it runs, so tools can find it. */
export const LOCAL_STATE_FILE = '.stageflow/local.json';

export interface LocalStackState {
  url: string;
  dynamodbEndpoint: string;
  tableName: string;
  /** aws-ses-v2-local's captured mail (`npm run simulate -- --live` opens and clicks it). */
  sesStoreUrl?: string;
  pid: number;
  startedAt: string;
}

export function writeLocalState(state: LocalStackState, file = LOCAL_STATE_FILE): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the state file if it is still this process's. */
export function removeLocalState(pid = process.pid, file = LOCAL_STATE_FILE): void {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as LocalStackState;
    if (state.pid === pid) rmSync(file, { force: true });
  } catch {
    // Gone already, or not ours to remove.
  }
}

/** A failure the CLI prints as it is, without a stack trace. */
export class KeyAdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyAdminError';
  }
}

/** The name `cdk deploy` gives a stage's stateful stack, and the output naming its table. */
export const statefulStackName = (stage: string) => `Stageflow-${stage}-Stateful`;
export const TABLE_NAME_OUTPUT = 'TableName';

export interface TargetOptions {
  /** A deployed stage: the table name is read from its stateful stack's `TableName` output. */
  stage?: string;
  /** A table by name (deployed, or local with `endpoint`). */
  table?: string;
  /** A DynamoDB endpoint, e.g. a DynamoDB Local; implies local credentials. */
  endpoint?: string;
  region?: string;
  /** Where the running local stack recorded itself (default .stageflow/local.json). */
  stateFile?: string;
}

export interface KeyTarget {
  client: DynamoDBClient;
  tableName: string;
  store: KeyStore;
  /** Says where the keys are, for progress output. */
  where: string;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Finds the table to manage: `--table` (with `--endpoint` for a local one), `--stage` (the
 * stateful stack's `TableName` output via CloudFormation), or by default the local stack that
 * `npm start` is running (.stageflow/local.json).
 */
export async function resolveTarget(
  options: TargetOptions,
  progress: (line: string) => void = () => {},
): Promise<KeyTarget> {
  if (options.stage && options.table) throw new KeyAdminError('Pass either --stage or --table, not both.');
  if (options.stage) {
    if (!/^[a-z][a-z0-9-]*$/.test(options.stage)) {
      throw new KeyAdminError(`"${options.stage}" is not a stage name (dev, prod).`);
    }
    const stack = statefulStackName(options.stage);
    progress(`reading the table name from stack ${stack}…`);
    const tableName = await tableFromStack(stack, options.region);
    const client = regionalClient(options.region);
    return { ...(await checked(client, tableName)), where: `table ${tableName} (stack ${stack})` };
  }
  if (options.table) {
    const client = options.endpoint ? createDynamoClient(options.endpoint) : regionalClient(options.region);
    const where = options.endpoint
      ? `table ${options.table} at ${options.endpoint}`
      : `table ${options.table}`;
    return { ...(await checked(client, options.table, options.endpoint)), where };
  }
  const file = options.stateFile ?? LOCAL_STATE_FILE;
  if (!existsSync(file)) {
    throw new KeyAdminError(
      `No running local stack found (${file} is missing). Start one with \`npm start\`, or name a ` +
        'deployed stack with --stage dev|prod or a table with --table <name>.',
    );
  }
  let state: LocalStackState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as LocalStackState;
  } catch (error) {
    throw new KeyAdminError(
      `${file} is not valid JSON (${(error as Error).message}); restart \`npm start\`.`,
    );
  }
  if (!state.dynamodbEndpoint || !state.tableName) {
    throw new KeyAdminError(`${file} names no DynamoDB endpoint or table; restart \`npm start\`.`);
  }
  if (state.pid && !isAlive(state.pid)) {
    throw new KeyAdminError(
      `The local stack recorded in ${file} (pid ${state.pid}) is not running. Start it with \`npm start\`.`,
    );
  }
  const client = createDynamoClient(state.dynamodbEndpoint);
  return {
    ...(await checked(client, state.tableName, state.dynamodbEndpoint)),
    where: `local stack ${state.url} (table ${state.tableName} at ${state.dynamodbEndpoint})`,
  };
}

/** A client for the deployed table: the default credential chain, in `region` when given. */
const regionalClient = (region: string | undefined): DynamoDBClient =>
  region ? new DynamoDBClient({ region, maxAttempts: 5 }) : createDynamoClient();

async function checked(
  client: DynamoDBClient,
  tableName: string,
  endpoint?: string,
): Promise<Omit<KeyTarget, 'where'>> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    throw new KeyAdminError(explain(error, { tableName, endpoint }));
  }
  return { client, tableName, store: new DynamoDbKeyStore(client, tableName) };
}

async function tableFromStack(stackName: string, region: string | undefined): Promise<string> {
  // Loaded only for --stage: the local path needs no CloudFormation client.
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient(region ? { region } : {});
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const output = out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === TABLE_NAME_OUTPUT);
    if (!output?.OutputValue) {
      throw new KeyAdminError(
        `Stack ${stackName} has no ${TABLE_NAME_OUTPUT} output; is it a Stageflow stateful stack?`,
      );
    }
    return output.OutputValue;
  } catch (error) {
    if (error instanceof KeyAdminError) throw error;
    throw new KeyAdminError(explain(error, { stackName, region }));
  } finally {
    cfn.destroy();
  }
}

/** Turns SDK and network errors into a sentence that says what to do. */
export function explain(
  error: unknown,
  about: { tableName?: string; endpoint?: string; stackName?: string; region?: string },
): string {
  const e = error as Error & { code?: string; cause?: { code?: string } };
  const name = e?.name ?? '';
  const message = e?.message ?? String(error);
  const code = e?.code ?? e?.cause?.code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    return `Nothing answers at ${about.endpoint ?? 'the DynamoDB endpoint'}: is \`npm start\` still running?`;
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return 'No AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for the account the stack is deployed in.';
  }
  if (/Region is missing/i.test(message)) {
    return 'No AWS region set: pass --region, or set AWS_REGION or a region in your AWS profile.';
  }
  if (name === 'ResourceNotFoundException') {
    return `Table ${about.tableName} does not exist${about.endpoint ? ` at ${about.endpoint}` : ''}${about.region ? ` in ${about.region}` : ''}.`;
  }
  if (name === 'ValidationError' && /does not exist/.test(message)) {
    return `Stack ${about.stackName} does not exist${about.region ? ` in ${about.region}` : ' in this region'}: deploy it first (README, Deploy) or pass --region.`;
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return `Access denied: ${message}`;
  }
  return `${name || 'Error'}: ${message}`;
}

/** A key as `list` shows it: never the key or its hash. */
export interface KeyView {
  keyId: string;
  name: string;
  scope: Scope;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  rateLimit: number | null;
}

export const keyView = (r: ApiKeyRecord): KeyView => ({
  keyId: r.keyId,
  name: r.name,
  scope: r.scope,
  createdAt: r.createdAt,
  createdBy: r.createdBy ?? null,
  revokedAt: r.revokedAt ?? null,
  revokedBy: r.revokedBy ?? null,
  rateLimit: r.rateLimit ?? null,
});

export interface CreateKeyInput {
  name: string;
  scope: Scope;
  /** Requests per second; absent means the deployment default (STAGEFLOW_KEY_RATE_LIMIT). */
  rateLimit?: number;
  /** Who creates it: the calling key's name or user, or `npm run keys`. */
  createdBy?: string;
}

/** Creates a key and returns it in plain text, the only time it is ever available. */
export async function createApiKey(
  store: KeyStore,
  input: CreateKeyInput,
): Promise<{ key: string; view: KeyView }> {
  const name = input.name.trim();
  if (!name) throw new KeyAdminError('A key needs a name (--name), e.g. the shop or source it is for.');
  if (name.length > 100) throw new KeyAdminError('A key name may have at most 100 characters.');
  if (!(SCOPES as readonly string[]).includes(input.scope)) {
    throw new KeyAdminError(`The scope must be ingest, admin or read, not "${input.scope}".`);
  }
  if (input.rateLimit !== undefined && !(Number.isFinite(input.rateLimit) && input.rateLimit > 0)) {
    throw new KeyAdminError('--rate-limit must be a positive number of requests per second.');
  }
  const { key, record } = await createKey(store, {
    name,
    scope: input.scope,
    rateLimit: input.rateLimit,
    createdBy: input.createdBy,
  });
  return { key, view: keyView(record) };
}

export async function listApiKeys(store: KeyStore): Promise<KeyView[]> {
  return (await store.list()).map(keyView).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Revokes a key by its id; revoking twice keeps the first revocation time. */
export async function revokeApiKey(
  store: KeyStore,
  keyId: string,
  now: Date = new Date(),
  by?: string,
): Promise<{ outcome: 'revoked' | 'already-revoked'; view: KeyView }> {
  const found = (await store.list()).find((r) => r.keyId === keyId);
  if (!found) {
    throw new KeyAdminError(`No key with id ${keyId}. \`npm run keys -- list\` shows the key ids.`);
  }
  if (found.revokedAt) return { outcome: 'already-revoked', view: keyView(found) };
  await store.revoke(keyId, now.toISOString(), by);
  return {
    outcome: 'revoked',
    view: keyView({ ...found, revokedAt: now.toISOString(), ...(by ? { revokedBy: by } : {}) }),
  };
}
