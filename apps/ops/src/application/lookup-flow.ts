import { entitiesOf, FlowEntities, FlowEvent, selectFlow, toFlowEvent } from '../domain/flow';
import { OpsContext, TopicReadRange } from './ports';

/** Current state of the entities of a flow, as each owning service reports it. */
export interface ServiceState {
  service: string;
  entity: string;
  /** The service's answer, or why there is none (service down, unknown entity). */
  state: unknown;
  available: boolean;
}

export interface ServiceStates {
  /** Asks each service for its state of the deals, projects and invoices (never throws). */
  collect(entities: Readonly<FlowEntities>): Promise<ServiceState[]>;
}

export interface FlowLookup {
  id: string;
  events: FlowEvent[];
  scanned: number;
  states: ServiceState[];
}

/**
 * Reads every catalog topic (from `since`, or the start of the log) and returns the flow that `id`
 * belongs to, with each service's resulting state of the deals, projects and invoices it touched.
 */
export async function lookupFlow(
  context: OpsContext,
  states: ServiceStates,
  query: { id: string; since?: number },
): Promise<FlowLookup> {
  const kafka = await context.kafka();
  const existing = new Set(await kafka.listTopics());
  const topics = context.catalogTopics
    .map((topic) => `${context.prefix}${topic}`)
    .filter((topic) => existing.has(topic));
  const ranges: TopicReadRange[] = [];
  for (const topic of topics) {
    const offsets = await kafka.partitionOffsets(topic);
    const starts =
      query.since === undefined
        ? undefined
        : new Map((await kafka.offsetsAt(topic, query.since)).map((p) => [p.partition, p.offset]));
    for (const { partition, low, high } of offsets) {
      const start = Math.max(low, starts?.get(partition) ?? low);
      if (start < high) ranges.push({ topic, partition, start, end: high });
    }
  }
  const decoder = context.decoder();
  const events: FlowEvent[] = [];
  let scanned = 0;
  await kafka.read(ranges, async (message) => {
    scanned++;
    const decoded = await decoder.decode(message.value);
    const event = decoded.ok ? toFlowEvent(message, decoded.json) : undefined;
    if (event) events.push({ ...event, topic: event.topic.slice(context.prefix.length) });
    return !context.signal?.aborted;
  });
  const flow = selectFlow(events, query.id);
  return {
    id: query.id,
    events: flow,
    scanned,
    states: flow.length > 0 ? await states.collect(entitiesOf(flow)) : [],
  };
}
