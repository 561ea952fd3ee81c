import { type LocalDynamo, startDynamoDbLocal } from './dynamodb.js';

/** More deaths than this within RESTART_WINDOW_MS is not bad luck: stop instead of looping. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/**
 * Restarts DynamoDB Local on the same port when it dies under a running stack (killed, crashed,
 * out of memory), so the endpoint every handler's client holds works again. `recover` puts back
 * what the stack needs in it (table, keys, defaults) and restarts what read from the old one.
 * While it is down, /health answers 503. If it keeps dying, or cannot start again, `onFatal`
 * (default: a clear message and exit code 1) ends the stack rather than serving errors forever.
 */
export function watchDynamoDbLocal(
  first: LocalDynamo,
  options: { dataDir?: string; log?: (line: string) => void; onFatal?: (error: Error) => void },
  recover: (restarted: LocalDynamo) => Promise<void>,
): void {
  const deaths: number[] = [];
  const fatal =
    options.onFatal ??
    ((error: Error) => {
      console.error(`stageflow: ${error.message}`);
      process.exit(1);
    });
  const watch = (dynamo: LocalDynamo) => {
    void dynamo.died.then(async (how) => {
      const now = Date.now();
      deaths.push(now);
      while (deaths.length && deaths[0] < now - RESTART_WINDOW_MS) deaths.shift();
      // Always said, --quiet or not: data kept only in memory is gone.
      console.error(
        `stageflow: DynamoDB Local ${how}; restarting it on ${dynamo.endpoint}` +
          (options.dataDir ? '' : ' (in memory: the data held so far is lost)'),
      );
      if (deaths.length > MAX_RESTARTS) {
        fatal(
          new Error(
            `DynamoDB Local died ${deaths.length} times within ${RESTART_WINDOW_MS / 1000} s (last: ${how}); ` +
              'stopping. Check Java 17 and free memory, then run npm start again.',
          ),
        );
        return;
      }
      try {
        const restarted = await startDynamoDbLocal({ port: dynamo.port, dataDir: options.dataDir });
        await recover(restarted);
        options.log?.(`DynamoDB Local is back on ${restarted.endpoint}`);
        watch(restarted);
      } catch (error) {
        fatal(new Error(`DynamoDB Local ${how} and could not be restarted: ${(error as Error).message}`));
      }
    });
  };
  watch(first);
}
