/**
 * Correlation lookup: everything that happened for one id (a correlation id, event id, deal,
 * project, contract, invoice or any other entity id carried by events), in order, from the event log.
 */
export interface FlowEvent {
  topic: string;
  partition: number;
  offset: number;
  eventType: string;
  eventId: string;
  correlationId: string;
  causationId: string | null;
  occurredAt: number;
  source: string;
  key: string;
  data: Record<string, unknown>;
}

/** Payload fields that name entities a person may look up. */
const ENTITY_FIELDS = [
  'dealId',
  'projectId',
  'contractId',
  'invoiceId',
  'invoiceNumber',
  'assignmentId',
  'exceptionId',
  'entityId',
  'entryId',
  'expenseId',
  'actualId',
  'changeOrderId',
  'paymentId',
  'recognitionId',
  // Rate cards are keyed rateCardId@effectiveFrom (one record per dated version), so the key alone no longer names the card.
  'rateCardId',
];

/**
 * Ids named inside a payload's lists: draft invoices of a period close, the deals, projects and
 * sources of invoice lines (so a deal's lookup finds its invoices and what was sent for them).
 */
function nestedIds(data: Record<string, unknown>): string[] {
  const ids: string[] = [];
  if (Array.isArray(data['projectIds'])) ids.push(...data['projectIds'].filter(isString));
  for (const draft of listOf(data['draftInvoices']))
    if (isString(draft['invoiceId'])) ids.push(draft['invoiceId']);
  for (const line of listOf(data['lines'])) {
    if (isString(line['dealId'])) ids.push(line['dealId']);
    if (isString(line['projectId'])) ids.push(line['projectId']);
    if (Array.isArray(line['sourceIds'])) ids.push(...line['sourceIds'].filter(isString));
  }
  return ids;
}

function listOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    : [];
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** A decoded `{ envelope, data }` record as a flow event, or undefined for anything else. */
export function toFlowEvent(
  position: { topic: string; partition: number; offset: number },
  json: unknown,
): FlowEvent | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { envelope, data } = json as { envelope?: Record<string, unknown>; data?: Record<string, unknown> };
  if (!envelope || !data || typeof envelope['eventId'] !== 'string') return undefined;
  return {
    ...position,
    eventType: String(envelope['eventType']),
    eventId: envelope['eventId'],
    correlationId: String(envelope['correlationId']),
    causationId: typeof envelope['causationId'] === 'string' ? envelope['causationId'] : null,
    occurredAt: Number(envelope['occurredAt']),
    source: String(envelope['source']),
    key: String(envelope['key']),
    data,
  };
}

export function mentions(event: FlowEvent, id: string): boolean {
  return (
    event.eventId === id ||
    event.correlationId === id ||
    event.key === id ||
    ENTITY_FIELDS.some((field) => event.data[field] === id) ||
    nestedIds(event.data).includes(id)
  );
}

/**
 * The events that mention `id`, plus every event of the same flows (same correlation ids), in the
 * order they happened. A deal id thus also finds the staffing and billing events of its projects.
 */
export function selectFlow(events: readonly FlowEvent[], id: string): FlowEvent[] {
  const correlations = new Set(
    events.filter((event) => mentions(event, id)).map((event) => event.correlationId),
  );
  return events
    .filter((event) => correlations.has(event.correlationId) || mentions(event, id))
    .sort((a, b) => a.occurredAt - b.occurredAt || a.topic.localeCompare(b.topic) || a.offset - b.offset);
}

export interface FlowEntities {
  dealIds: string[];
  projectIds: string[];
  invoiceIds: string[];
}

/** The deals, projects and invoices a flow touched, to ask the services for their current state. */
export function entitiesOf(flow: readonly FlowEvent[]): FlowEntities {
  const dealIds = new Set<string>();
  const projectIds = new Set<string>();
  const invoiceIds = new Set<string>();
  for (const event of flow) {
    if (isString(event.data['dealId'])) dealIds.add(event.data['dealId']);
    if (isString(event.data['projectId'])) projectIds.add(event.data['projectId']);
    if (isString(event.data['invoiceId'])) invoiceIds.add(event.data['invoiceId']);
    for (const line of listOf(event.data['lines'])) {
      if (isString(line['dealId'])) dealIds.add(line['dealId']);
      if (isString(line['projectId'])) projectIds.add(line['projectId']);
    }
  }
  const sorted = (ids: Set<string>) => [...ids].sort();
  return { dealIds: sorted(dealIds), projectIds: sorted(projectIds), invoiceIds: sorted(invoiceIds) };
}

/**
 * What an outbound call did, in one line, for the events that report one: a record a target took
 * (`OutboundRecordSynced`: "netsuite Invoice INV-7 → 4711 synced") or refused (the
 * `OUTBOUND_CALL_REJECTED` exception: "netsuite Invoice INV-7 → eid:INV-7 rejected (HTTP 400)").
 * Empty for every other event.
 */
export function outboundCallOf(event: FlowEvent): string {
  const { data } = event;
  if (event.eventType === 'OutboundRecordSynced')
    return `${String(data['target'])} ${String(data['entityType'])} ${String(data['externalId'])} → ${String(data['targetRecordId'])} synced`;
  if (event.eventType === 'BusinessExceptionRaised' && data['code'] === 'OUTBOUND_CALL_REJECTED') {
    const details = (
      typeof data['details'] === 'object' && data['details'] !== null ? data['details'] : {}
    ) as Record<string, unknown>;
    return `${String(details['target'])} ${String(data['entityType'])} ${String(data['entityId'])} → ${String(details['targetRecordId'])} rejected (HTTP ${String(details['httpStatus'])})`;
  }
  return '';
}

export function formatFlow(flow: readonly FlowEvent[]): string {
  const rows = flow.map((event) => [
    new Date(event.occurredAt).toISOString().replace('T', ' ').replace('Z', ''),
    event.eventType,
    event.source,
    event.key,
    event.eventId,
    event.correlationId,
    outboundCallOf(event),
  ]);
  const table = [
    ['OCCURRED (UTC)', 'EVENT', 'SOURCE', 'KEY', 'EVENT ID', 'CORRELATION ID', 'OUTBOUND CALL'],
    ...rows,
  ];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0))) ?? [];
  return table
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
