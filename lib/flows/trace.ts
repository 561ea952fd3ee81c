import { flowTraceToStdout } from '../config.js';
import { redactPersonalData } from '../shared/redact.js';
import type { MessageLog, MessageRecord } from './message-log.js';
import type { FlowDeps } from './ports.js';
import type { CampaignRun } from './run.js';

/**
 * One human-readable line per campaign run started and per send decision, for the local stack's
 * console (deployed, the structured logs say the same). Ids only: flow, campaign, run, step,
 * status and reason; never a customer id (it may be an email), an address or a name.
 */
export type FlowTraceSink = (line: string) => void;

let sink: FlowTraceSink | undefined;

/** The local stack sets the sink; in a worker thread STAGEFLOW_FLOW_TRACE=stdout does the same. */
export function setFlowTraceSink(next: FlowTraceSink | undefined): void {
  sink = next;
}

export function flowTraceSink(): FlowTraceSink | undefined {
  if (sink) return sink;
  return flowTraceToStdout() ? (line) => console.log(`  ${line}`) : undefined;
}

/** A reason as printed: one line, no email address (an SES error can carry one), bounded. */
const clean = (reason: string) =>
  String(redactPersonalData('reason', reason))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .slice(0, 200);

const where = (r: { flow: string; campaignId: string; runId: string; step: number }) =>
  `flow ${r.flow} campaign ${r.campaignId} run ${r.runId.slice(0, 12)} step ${r.step}`;

export const runStartedLine = (run: CampaignRun) =>
  `${where(run)}: run started (campaign v${run.version}, first step due ${run.waitUntil})`;

export const decisionLine = (record: MessageRecord) =>
  `${where(record)}: ${record.status}${record.reason ? ` (${clean(record.reason)})` : ''}`;

/** A step that is neither sent nor logged: held for quiet hours or a marketing pause, or already sent. */
export function heldLine(before: CampaignRun, after: CampaignRun): string | undefined {
  if (after.next !== 'wait' || after.step !== before.step) return undefined;
  const why = after.pausedSince ? 'marketing paused' : after.quietDelayed ? 'quiet hours' : 'waiting';
  return `${where(before)}: held until ${after.waitUntil} (${why})`;
}

/** The flow ports with every send decision the message log records also printed to `trace`. */
export function tracedFlowDeps(deps: FlowDeps, trace: FlowTraceSink): FlowDeps {
  const log: MessageLog = Object.create(deps.log);
  log.record = async (customerId, record) => {
    await deps.log.record(customerId, record);
    trace(decisionLine(record));
  };
  log.claim = async (customerId, record, expiry) => {
    const claim = await deps.log.claim(customerId, record, expiry);
    if (claim !== 'claimed') trace(`${where(record)}: not sent again (${claim})`);
    return claim;
  };
  return { ...deps, log };
}
