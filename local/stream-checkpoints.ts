import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ShardPosition = { sequenceNumber?: string; done?: boolean };

interface Checkpoints {
  streamArn: string;
  shards: Record<string, ShardPosition>;
}

/**
 * Where the local stream relay got to in each shard, kept in a file so a restarted `npm start`
 * resumes like an event source mapping instead of replaying the stream. Without a file it
 * keeps nothing.
 */
export class StreamCheckpoints {
  private checkpoints: Checkpoints | null = null;
  private dirty = false;

  constructor(private readonly file: string | undefined) {}

  /** Loads the file's positions for this stream; a recreated table has a new stream, read afresh. */
  open(streamArn: string): void {
    if (!this.file) return;
    const fresh = { streamArn, shards: {} };
    if (!existsSync(this.file)) {
      this.checkpoints = fresh;
      return;
    }
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as Checkpoints;
      // A recreated table has a new stream: old positions mean nothing there.
      this.checkpoints = saved.streamArn === streamArn ? saved : fresh;
    } catch {
      this.checkpoints = fresh;
    }
  }

  /** The saved position of a shard, if any. */
  get(shardId: string): ShardPosition | undefined {
    return this.checkpoints?.shards[shardId];
  }

  /** Records progress in a shard (written by the next flush). */
  set(shardId: string, position: ShardPosition): void {
    if (!this.checkpoints) return;
    this.checkpoints.shards[shardId] ??= {};
    const saved = this.checkpoints.shards[shardId];
    if (position.sequenceNumber) saved.sequenceNumber = position.sequenceNumber;
    if (position.done) saved.done = true;
    this.dirty = true;
  }

  /** Writes the positions if they changed since the last write. */
  flush(): void {
    if (!this.file || !this.checkpoints || !this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(this.checkpoints, null, 2)}\n`);
    this.dirty = false;
  }
}
