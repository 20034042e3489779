import { EventPayloads, EventType } from '@throughline/contracts';

/** An event payload a domain decision produced; the application adds the envelope and writes it out. */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; data: EventPayloads[K] };
}[T];
