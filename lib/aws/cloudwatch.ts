import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

let cloudWatch: CloudWatchClient | undefined;

/**
 * One CloudWatch client per process (the analytics reports read the projector's IteratorAge).
 * Deployed only: there is no local CloudWatch, the local stack hands the reports its stream
 * relay's backlog instead (local/stream-backlog.ts).
 */
export function cloudWatchClient(): CloudWatchClient {
  // One retry: a report waits at most 2 s for the backlog, then answers with the lag unknown.
  cloudWatch ??= new CloudWatchClient({ maxAttempts: 2 });
  return cloudWatch;
}
