import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamBacklogUnavailableError } from '../../lib/analytics/index.js';
import { OUTBOX_FILTER_PATTERN } from '../../lib/events/outbox-filter.js';
import { LocalStreamBacklog } from '../../local/stream-backlog.js';
import { type LocalStreamRelay, type StreamHandler, startStreamRelay } from '../../local/stream-relay.js';
import { eventually } from '../support/eventually.js';
import { testTable, uid } from '../support/local.js';

/**
 * The local stack's stream backlog (what `lagSeconds` sees of changes the projector has not
 * finished) against DynamoDB Local's real stream: not read yet, waiting, being handled, failing,
 * and done. The relay polls only once a minute here unless asked, so a record is still unread
 * in the stream when the test asks.
 */

let table: { client: DynamoDBClient; tableName: string; endpoint: string };
const relays: LocalStreamRelay[] = [];

// A table per test: a relay starts at the stream's oldest record, so it would get the last test's.
beforeEach(async () => {
  table = await testTable('stream-backlog');
});
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.stop();
});

const putOutbox = (entity = 'outbox') =>
  table.client.send(
    new PutItemCommand({
      TableName: table.tableName,
      Item: marshall({ pk: `C#${uid('c')}`, sk: `O#${uid('e')}`, entity, eventId: uid('e') }),
    }),
  );

/** A handler that holds every batch until the test releases it (before or after it came). */
function gate() {
  const handled: number[] = [];
  let open!: () => void;
  const released = new Promise<void>((resolve) => {
    open = resolve;
  });
  let entered = 0;
  const handler: StreamHandler = async (event) => {
    entered++;
    await released;
    handled.push(event.Records.length);
    return { batchItemFailures: [] };
  };
  return { handler, handled, entered: () => entered, release: () => open() };
}

async function relayWith(handler: StreamHandler, pollIntervalMs = 60_000): Promise<LocalStreamRelay> {
  const relay = await startStreamRelay({
    dynamodb: table.client,
    endpoint: table.endpoint,
    tableName: table.tableName,
    handler,
    filter: OUTBOX_FILTER_PATTERN,
    retry: { initialMs: 5, maxMs: 20 },
    pollIntervalMs,
  });
  relays.push(relay);
  return relay;
}

describe('Class: LocalStreamRelay, method: backlog', () => {
  it('counts a change that is still unread in the stream when asked, until its handler has finished', async () => {
    // Prepare: a relay that has read everything there is, then sleeps for a minute
    const handler = gate();
    const relay = await relayWith(handler.handler);
    await relay.settled();
    const caughtUp = Date.now();
    expect(await relay.backlog()).toBeNull();

    // Act: a change the relay has not polled for
    await putOutbox();
    const oldest = await relay.backlog();

    // Assess: asking read it; it is counted from when it reached the stream, which is after the
    // read that found the shard empty (DynamoDB Local rounds its creation time down to the minute)
    expect(oldest).not.toBeNull();
    expect(oldest!).toBeLessThanOrEqual(Date.now());
    expect(oldest!).toBeGreaterThanOrEqual(caughtUp);
    // Being handled, it is still counted
    await eventually(() => expect(handler.entered()).toBe(1));
    expect(await relay.backlog()).toBe(oldest);
    handler.release();
    await eventually(() => expect(handler.handled).toEqual([1]));
    expect(await relay.backlog()).toBeNull();
  });

  it('LocalStreamBacklog answers the age in whole seconds, at least 1, and 0 with nothing waiting', async () => {
    // Prepare
    const handler = gate();
    const relay = await relayWith(handler.handler);
    const backlog = new LocalStreamBacklog(relay);
    await relay.settled();
    expect(await backlog.oldestPendingAgeSeconds(Date.now())).toBe(0);

    // Act
    await putOutbox();
    const now = Date.now();
    const age = await backlog.oldestPendingAgeSeconds(now);
    // Measured at a later `now` (no sleeping: the clock is the caller's)
    const later = await backlog.oldestPendingAgeSeconds(now + 90_000);

    // Assess
    expect(age).toBeGreaterThanOrEqual(1);
    expect(age).toBeLessThanOrEqual(3);
    expect(later).toBeGreaterThanOrEqual(90);
    expect(later).toBeLessThanOrEqual(92);
    handler.release();
    await eventually(async () => expect(await backlog.oldestPendingAgeSeconds(Date.now())).toBe(0));
  });

  it('does not count records the filter drops: they are no changes for its handler', async () => {
    // Prepare
    const handler = gate();
    const relay = await relayWith(handler.handler);
    await relay.settled();

    // Act: a touchpoint item, which the outbox filter drops
    await putOutbox('touchpoint');

    // Assess
    expect(await relay.backlog()).toBeNull();
    expect(relay.stats.filteredOut).toBeGreaterThanOrEqual(1);
    expect(handler.entered()).toBe(0);
  });

  it('keeps counting a batch whose handler fails, while the relay retries it', async () => {
    // Prepare: a handler that throws until the test lets it through
    let failing = true;
    let calls = 0;
    const relay = await relayWith(async () => {
      calls++;
      if (failing) throw new Error('projector down');
      return { batchItemFailures: [] };
    }, 20);
    await relay.settled();
    const backlog = new LocalStreamBacklog(relay);

    // Act
    await putOutbox();
    await eventually(() => expect(calls).toBeGreaterThanOrEqual(2));

    // Assess
    expect(await backlog.oldestPendingAgeSeconds(Date.now())).toBeGreaterThanOrEqual(1);
    failing = false;
    await eventually(async () => expect(await backlog.oldestPendingAgeSeconds(Date.now())).toBe(0));
  });

  it('rejects once the relay has stopped, which LocalStreamBacklog reports as unavailable', async () => {
    // Prepare
    const relay = await relayWith(gate().handler);
    await relay.settled();
    const backlog = new LocalStreamBacklog(relay);

    // Act
    await relay.stop();

    // Assess
    await expect(relay.backlog()).rejects.toThrow('the stream relay has stopped');
    const error = await backlog.oldestPendingAgeSeconds(Date.now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamBacklogUnavailableError);
    expect((error as Error).message).toBe('the local stream relay: the stream relay has stopped');
  });
});
