import { CustomerComplaintRaised, CustomerStageChanged, DetailType } from '../../events/index.js';
import { stableId } from '../events/index.js';
import { type CompiledModel, classify, orderIdOf, type Transition } from '../journey/index.js';
import { productIdsOf } from '../shared/touchpoint-fields.js';
import type { Touchpoint } from '../touchpoints/index.js';
import { toEngineTouchpoint } from '../touchpoints/index.js';
import type { Complaint, OutboxRecord } from './ports.js';

/**
 * The events a commit publishes, built here and written in the commit's own transaction (the
 * outbox): a stage entered, a complaint raised. Event ids are stable, so a replay that derives
 * the same fact again writes the same record and consumers see it once.
 */

const modelVersion = (model: CompiledModel) => `${model.model.id}@${model.model.version}`;

/** The complaints among a chunk's touchpoints (a low rating, a return, ... as the model says). */
export function complaintsOf(model: CompiledModel, chunk: Touchpoint[]): Complaint[] {
  return chunk.flatMap((tp) => {
    const engineTp = toEngineTouchpoint(tp);
    if (classify(model, engineTp).effect !== 'complaint') return [];
    const rating = Number(tp.properties?.rating);
    return [
      {
        at: tp.timestamp,
        touchpointId: tp.messageId,
        event: tp.event,
        rating: Number.isFinite(rating) ? rating : null,
        orderId: orderIdOf(engineTp),
      },
    ];
  });
}

export function stageChanged(model: CompiledModel, customerId: string, t: Transition): OutboxRecord {
  const eventId = stableId(customerId, t.touchpointId, 'stage', t.to);
  const detail = CustomerStageChanged.parse({
    eventId,
    customerId,
    from: t.from,
    to: t.to,
    at: t.at,
    touchpointId: t.touchpointId,
    orderId: t.orderId,
    modelVersion: modelVersion(model),
  });
  return {
    eventId,
    detailType: DetailType.CustomerStageChanged,
    detail,
    at: t.at,
    correlationId: t.touchpointId,
  };
}

export function complaintRaised(customerId: string, c: Complaint, chunk: Touchpoint[]): OutboxRecord {
  const eventId = stableId(customerId, c.touchpointId, 'complaint');
  const tp = chunk.find((t) => t.messageId === c.touchpointId);
  const detail = CustomerComplaintRaised.parse({
    eventId,
    customerId,
    at: c.at,
    touchpointId: c.touchpointId,
    event: c.event,
    rating: c.rating,
    orderId: c.orderId,
    productIds: productIdsOf(tp?.properties),
  });
  return {
    eventId,
    detailType: DetailType.CustomerComplaintRaised,
    detail,
    at: c.at,
    correlationId: c.touchpointId,
  };
}
