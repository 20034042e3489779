import { ExceptionOwnerRole } from '@throughline/contracts';

import { ExceptionRecord, ExceptionStatus } from '../domain/business-exception';
import { TimelineStep } from '../domain/deal-timeline';
import { Projection, ProjectionState } from '../domain/projection';
import { StepStatus, TimelineStepName } from '../domain/timeline-entry';
import { BusinessException, Projection as ProjectionRow, TimelineEntry } from './prisma/generated/client';

/** Database rows → domain values (the columns hold what the domain wrote, so the casts are safe). */
export function toExceptionRecord(row: BusinessException): ExceptionRecord {
  return {
    exceptionId: row.exceptionId,
    status: row.status as ExceptionStatus,
    ownerRole: row.ownerRole as ExceptionOwnerRole | null,
    entityType: row.entityType,
    entityId: row.entityId,
    dealId: row.dealId,
    code: row.code,
    message: row.message,
    remediation: row.remediation,
    details: row.details as Record<string, string>,
    resolution: row.resolution,
    raisedAt: row.raisedAt?.getTime() ?? null,
    resolvedAt: row.resolvedAt?.getTime() ?? null,
  };
}

export function toTimelineStep(row: TimelineEntry): TimelineStep {
  return {
    step: row.step as TimelineStepName,
    entityType: row.entityType,
    entityId: row.entityId,
    status: row.status as StepStatus,
    summary: row.summary,
    occurredAt: row.occurredAt.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
    correlationId: row.correlationId,
    causationId: row.causationId,
    eventId: row.eventId,
    eventType: row.eventType,
    source: row.source,
  };
}

export function toProjection(row: ProjectionRow): Projection {
  return {
    version: row.version,
    state: row.state as ProjectionState,
    fromTimestamp: row.fromTimestamp?.getTime() ?? null,
    fromCurrentState: row.fromCurrentState,
    createdAt: row.createdAt.getTime(),
    activatedAt: row.activatedAt?.getTime() ?? null,
    retiredAt: row.retiredAt?.getTime() ?? null,
    droppedAt: row.droppedAt?.getTime() ?? null,
  };
}
