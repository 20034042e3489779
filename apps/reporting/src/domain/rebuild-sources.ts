import { isoDateOfEpochDay } from '@throughline/calendar';
import { ActualChanged, ActualState } from '@throughline/contracts';

import { REPORTED_EVENT_TYPES, ReportedEventType } from './timeline-entry';

/**
 * What a rebuild "from current state" reads instead of an event topic: the entity's compacted
 * current-state topic, one record per entity rather than every change. Only the actuals qualify:
 * they are reporting's largest topic, and the actual table is nothing but their latest state. Deals,
 * projects, invoices and payments also feed the timeline and history tables, so their events are
 * replayed as they are.
 */
export const CURRENT_STATE_SOURCES = { ActualChanged: 'ActualState' } as const;

export type ReplayedEventType = ReportedEventType | 'ActualState';

export function replayedEventTypes(fromCurrentState: boolean): ReplayedEventType[] {
  if (!fromCurrentState) return [...REPORTED_EVENT_TYPES];
  const replaced = Object.keys(CURRENT_STATE_SOURCES) as ReportedEventType[];
  return [
    ...REPORTED_EVENT_TYPES.filter((eventType) => !replaced.includes(eventType)),
    ...Object.values(CURRENT_STATE_SOURCES),
  ];
}

/**
 * The ActualChanged an actual's current state stands for; null while billing does not know its
 * project (billing publishes no ActualChanged for such an actual either).
 */
export function actualChangedOfState(state: ActualState): ActualChanged | null {
  const { dealId, customerId, legalEntityId, currency } = state;
  if (dealId === null || customerId === null || legalEntityId === null || currency === null) return null;
  return {
    actualId: state.actualId,
    kind: state.kind,
    projectId: state.projectId,
    dealId,
    customerId,
    legalEntityId,
    personId: state.personId,
    role: state.role,
    workDate: state.workDate === null ? (state.workDateAsApproved ?? '') : isoDateOfEpochDay(state.workDate),
    hoursHundredths: state.hoursHundredths,
    billable: state.billable,
    currency,
    rateMinor: state.rateMinor,
    rateCardId: state.rateCardId,
    billAmountMinor: state.billAmountMinor,
    costRateMinor: state.costRateMinor,
    costAmountMinor: state.costAmountMinor,
    billingPeriod: state.billingPeriod,
    status: state.status,
    invoiceId: state.invoiceId,
    approvedAt: state.approvedAt,
    changedAt: state.changedAt,
    changedBy: null,
  };
}
