import { EventRecord } from '@throughline/contracts';
import { SqlExecutor } from '@throughline/persistence';

/**
 * Records that `groupId` handled `event`, inside the handler's transaction. Returns false when it
 * was handled before: the caller then skips its effects, so a redelivery has no second effect.
 */
export async function claimEvent(sql: SqlExecutor, groupId: string, event: EventRecord): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO messaging_inbox (consumer_group, event_id, event_type) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [groupId, event.envelope.eventId, event.envelope.eventType],
  );
  return rows.length === 1;
}
