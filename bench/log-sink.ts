/**
 * The functions log JSON lines to stdout at INFO, as deployed (infra: applicationLogLevelV2
 * INFO), and the bench keeps that cost on the measured path; the lines themselves would bury
 * the bench's output, so they are counted and dropped here. Everything else passes through.
 */
export interface LogSink {
  lines: number;
  bytes: number;
}

export function sinkJsonLogs(): LogSink {
  const sink: LogSink = { lines: 0, bytes: 0 };
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"')) {
      sink.lines++;
      sink.bytes += Buffer.byteLength(text);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return sink;
}
