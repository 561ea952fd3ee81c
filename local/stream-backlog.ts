import { type StreamBacklog, StreamBacklogUnavailableError } from '../lib/analytics/index.js';

/**
 * The local stack's StreamBacklog: the analytics stream relay's own position in the stream
 * (LocalStreamRelay.backlog, in the flows worker), in place of the CloudWatch metric it does
 * not have. It sees every change written before the report asked that the projector has not
 * finished: read and waiting, being projected, or not read yet (the relay reads every shard
 * before it answers). docs/analytics.md, "Freshness".
 */
export class LocalStreamBacklog implements StreamBacklog {
  constructor(private readonly relay: { backlog(): Promise<number | null> }) {}

  async oldestPendingAgeSeconds(now: number): Promise<number> {
    let oldest: number | null;
    try {
      oldest = await this.relay.backlog();
    } catch (error) {
      throw new StreamBacklogUnavailableError(`the local stream relay: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // A change written while the relay read is not counted yet either: at least 1 s.
    return oldest === null ? 0 : Math.max(1, Math.ceil((now - oldest) / 1000));
  }
}
