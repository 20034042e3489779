import {
  BusinessExceptionRaised,
  BusinessExceptionResolved,
  ExceptionOwnerRole,
} from '@throughline/contracts';

import { DomainEvent } from './domain-event';

/** Exceptions this service raises are about a deal (the entity whose setup cannot proceed). */
export const EXCEPTION_ENTITY_TYPE = 'Deal';

/** A business exception as this service raises it, routed to the owner who must act. */
export interface ExceptionDescription {
  exceptionId: string;
  code: string;
  ownerRole: ExceptionOwnerRole;
  message: string;
  remediation: string;
  details: Record<string, string>;
}

export interface GapChanges<T extends ExceptionDescription> {
  /** New gaps, and open ones whose description changed (raised again under the same id). */
  raised: T[];
  /** Open gaps that no longer apply. */
  resolved: T[];
}

/** What changed between a deal's open gaps and the gaps a fresh evaluation found. */
export function reconcileGaps<T extends ExceptionDescription>(
  open: readonly T[],
  current: readonly T[],
): GapChanges<T> {
  const openById = new Map(open.map((gap) => [gap.exceptionId, gap]));
  const currentIds = new Set(current.map((gap) => gap.exceptionId));
  return {
    raised: current.filter((gap) => {
      const before = openById.get(gap.exceptionId);
      return !before || !sameGap(before, gap);
    }),
    resolved: open.filter((gap) => !currentIds.has(gap.exceptionId)),
  };
}

function sameGap(a: ExceptionDescription, b: ExceptionDescription): boolean {
  return (
    a.code === b.code &&
    a.ownerRole === b.ownerRole &&
    a.message === b.message &&
    a.remediation === b.remediation &&
    JSON.stringify(sortedEntries(a.details)) === JSON.stringify(sortedEntries(b.details))
  );
}

function sortedEntries(details: Record<string, string>): [string, string][] {
  return Object.entries(details).sort(([a], [b]) => a.localeCompare(b));
}

export function exceptionRaised(
  dealId: string,
  gap: ExceptionDescription,
): DomainEvent<'BusinessExceptionRaised'> {
  const data: BusinessExceptionRaised = {
    exceptionId: gap.exceptionId,
    ownerRole: gap.ownerRole,
    entityType: EXCEPTION_ENTITY_TYPE,
    entityId: dealId,
    dealId,
    code: gap.code,
    message: gap.message,
    remediation: gap.remediation,
    details: { ...gap.details },
  };
  return { type: 'BusinessExceptionRaised', data };
}

export function exceptionResolved(
  dealId: string,
  exceptionId: string,
  resolution: string,
): DomainEvent<'BusinessExceptionResolved'> {
  const data: BusinessExceptionResolved = {
    exceptionId,
    entityType: EXCEPTION_ENTITY_TYPE,
    entityId: dealId,
    dealId,
    resolution,
  };
  return { type: 'BusinessExceptionResolved', data };
}
