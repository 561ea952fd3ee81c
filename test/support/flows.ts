import { createDynamoClient } from '../../lib/aws/clients.js';
import { DynamoDbMessageLog } from '../../lib/flows/dynamodb-message-log.js';
import type { MessageRecord } from '../../lib/flows/message-log.js';
import type { LocalStack } from '../../local/stack.js';
import { api } from './local.js';

/** Posts one touchpoint for a customer, stamped `offsetMs` after `base`. */
export function journey(stack: LocalStack, userId: string, base = Date.now()) {
  const post = api(stack);
  let n = 0;
  return async (event: string, extra: Record<string, unknown> = {}, offsetMs = n * 1000) => {
    n++;
    const res = await post('POST', '/v1/touchpoints', {
      messageId: `${userId}-${n}-${event.replace(/\W/g, '')}`,
      userId,
      event,
      timestamp: new Date(base + offsetMs).toISOString(),
      ...extra,
    });
    if (res.status !== 200)
      throw new Error(`touchpoint ${event} got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as { stage: string | null };
  };
}

/** The message log of a customer, as the flows wrote it. */
export async function messages(stack: LocalStack, customerId: string): Promise<MessageRecord[]> {
  return new DynamoDbMessageLog(createDynamoClient(stack.dynamodbEndpoint), stack.tableName).list(customerId);
}

export const sentTemplates = (log: MessageRecord[]) =>
  log.filter((m) => m.status === 'sent').map((m) => m.template);
