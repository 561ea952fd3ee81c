import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { MessageRecord } from '../lib/flows/message-log.js';
import type { FlowDeps } from '../lib/flows/ports.js';
import { CampaignRun } from '../lib/flows/run.js';
import { runStep } from '../lib/flows/send-step.js';

export interface SweepResult {
  resent: number;
  unknown: number;
  failed: number;
}

/**
 * Resolves every send claim still `sending` after its lease, here where no execution can come
 * back to it: a local restart drops the running flows. Deployed, the execution itself does
 * this (the send task is retried and waits out the lease), so there is no deployed sweeper.
 * Transactional mail is sent again through the send step, with every check made again (at
 * least once); marketing mail is recorded as `unknown` (at most once). Claims written before
 * leases existed count as expired marketing: never sent twice.
 */
export async function sweepExpiredSends(options: {
  client: DynamoDBClient;
  tableName: string;
  deps: FlowDeps;
  log?: (line: string) => void;
}): Promise<SweepResult> {
  const result: SweepResult = { resent: 0, unknown: 0, failed: 0 };
  const now = options.deps.clock();
  for await (const claim of expiredClaims(options.client, options.tableName, now)) {
    const { customerId, record } = claim;
    const run = CampaignRun.safeParse(record.run);
    try {
      if (record.category === 'transactional' && run.success) {
        await resend(options.deps, run.data);
        result.resent++;
      } else {
        const outcome = await options.deps.log.claim(customerId, record, { now, onExpired: 'unknown' });
        if (outcome === 'unknown') result.unknown++;
      }
    } catch (error) {
      result.failed++;
      options.log?.(`send sweeper: ${record.runId}#${record.step}: ${(error as Error).message}`);
    }
  }
  if (result.resent + result.unknown + result.failed > 0) {
    options.log?.(
      `send sweeper: ${result.resent} resent, ${result.unknown} recorded as unknown, ${result.failed} failed`,
    );
  }
  return result;
}

/** The send step again; a transient SES error is retried a few times, as the state machine would. */
async function resend(deps: FlowDeps, run: CampaignRun): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await runStep(deps, run);
      return;
    } catch (error) {
      if ((error as Error).name !== 'TransientSendError' || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

async function* expiredClaims(client: DynamoDBClient, tableName: string, now: Date) {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression:
          'entity = :message AND #s = :sending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: marshall({
          ':message': 'message',
          ':sending': 'sending',
          ':now': now.toISOString(),
        }),
        ...(start ? { ExclusiveStartKey: marshall(start) } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const { pk: _pk, sk: _sk, entity: _e, customerId, ...record } = unmarshall(item);
      yield { customerId: String(customerId), record: record as MessageRecord };
    }
    start = out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined;
  } while (start);
}
