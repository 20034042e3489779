import { EventRecord } from '@throughline/contracts';
import { SqlExecutor } from '@throughline/persistence';

/**
 * Records that `groupId` handled `event`, inside the handler's transaction. Returns false when it
 * was handled before: the caller then skips its effects, so a redelivery has no second effect.
 */
export async function claimEvent(sql: SqlExecutor, groupId: string, event: EventRecord): Promise<boolean> {
  return (await claimEvents(sql, groupId, [event])).length === 1;
}

/**
 * Claims a batch of events for `groupId` in one statement, inside the handler's transaction, and
 * returns the ones not handled before, in their original order. An event id that occurs twice in
 * the batch (a redelivery fetched together with the original) is returned once, at its first place.
 */
export async function claimEvents<E extends EventRecord>(
  sql: SqlExecutor,
  groupId: string,
  events: readonly E[],
): Promise<E[]> {
  if (events.length === 0) return [];
  const rows = await sql.query<{ event_id: string }>(
    `INSERT INTO messaging_inbox (consumer_group, event_id, event_type)
     SELECT $1, event_id, event_type FROM unnest($2::uuid[], $3::text[]) AS claimed (event_id, event_type)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [groupId, events.map((event) => event.envelope.eventId), events.map((event) => event.envelope.eventType)],
  );
  const claimed = new Set(rows.map((row) => row.event_id));
  return events.filter((event) => claimed.delete(event.envelope.eventId.toLowerCase()));
}
