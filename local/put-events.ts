import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { PUT_EVENTS_LIMITS } from '../lib/events/publisher.js';

/**
 * EventBridge's PutEvents on the wire (AWS JSON 1.1), as the local bus speaks it: what a
 * request and an entry must be, how AWS refuses them, and how errors are framed. The bus
 * itself (rules, delivery, replay) is in local/event-bus.ts.
 */

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
}

export type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };
type Rejection = { ErrorCode: string; ErrorMessage: string };

/** How PutEvents fails while a fault is injected: both are errors the SDK retries. */
export type BusFault = 'internal' | 'throttling';

export const FAULTS: Record<BusFault, { status: number; type: string; message: string }> = {
  internal: { status: 500, type: 'InternalException', message: 'Injected fault: the bus is failing' },
  throttling: { status: 400, type: 'ThrottlingException', message: 'Injected fault: Rate exceeded' },
};

const validation = (message: string) => Object.assign(new Error(message), { name: 'ValidationException' });

/** Throws AWS's ValidationException for a request of too many entries or too many bytes. */
export function assertPutEventsRequest(
  entries: PutEventsEntry[] | undefined,
): asserts entries is PutEventsEntry[] {
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > PUT_EVENTS_LIMITS.entries) {
    throw validation(`Entries must hold 1 to ${PUT_EVENTS_LIMITS.entries} entries`);
  }
  const size = entries.reduce(
    (sum, e) =>
      sum +
      Buffer.byteLength(e.Source ?? '') +
      Buffer.byteLength(e.DetailType ?? '') +
      Buffer.byteLength(e.Detail ?? '') +
      (e.Resources ?? []).reduce((s, r) => s + Buffer.byteLength(r), 0) +
      (e.Time !== undefined ? 14 : 0),
    0,
  );
  if (size > PUT_EVENTS_LIMITS.bytes) {
    throw validation('Total size of the entries in the request is over the limit.');
  }
}

/** Why AWS would refuse one entry on this bus, or the entry's parsed detail. */
export function parseEntry(
  entry: PutEventsEntry,
  bus: { name: string; arn: string },
): Rejection | { source: string; detailType: string; detail: Record<string, unknown> } {
  const rejected = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
  if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
    return rejected('InvalidArgument', 'Parameters Source, DetailType and Detail are required.');
  }
  if (entry.EventBusName !== bus.name && entry.EventBusName !== bus.arn) {
    // AWS would put it on the default bus, where no Stageflow rule listens: fail loudly here.
    return rejected(
      'ResourceNotFoundException',
      `Event bus ${entry.EventBusName ?? 'default'} does not exist locally; use ${bus.name}.`,
    );
  }
  if (entry.Source.startsWith('aws.')) {
    return rejected('NotAuthorizedForSourceException', 'Not authorized for the source.');
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return rejected('MalformedDetail', 'Detail is malformed.');
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return rejected('MalformedDetail', 'Detail is malformed.');
  }
  return { source: entry.Source, detailType: entry.DetailType, detail: detail as Record<string, unknown> };
}

/** EventBridge event times have second precision: `2026-01-01T12:00:00Z`. */
export function eventTime(time: number | string | undefined): string {
  const date =
    time === undefined ? new Date() : typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const errorBody = (type: string, message: string) => ({ __type: type, message });

/** An AWS JSON 1.1 response; an error names its type the way the SDK reads it. */
export function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
  const type = (body as { __type?: string }).__type;
  if (status >= 400 && type) headers['x-amzn-errortype'] = type;
  headers['x-amzn-requestid'] = randomUUID();
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}
