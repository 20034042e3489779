import { EventRecord } from '@throughline/contracts';
import { createEvent, EventOrigin } from '@throughline/messaging';

import { DomainEvent } from '../domain/domain-event';

/** Wraps what the domain decided into complete event records for the outbox. */
export function withEnvelopes(decided: readonly DomainEvent[], origin: EventOrigin): EventRecord[] {
  return decided.map((event) => createEvent(event.type, event.data, origin));
}
