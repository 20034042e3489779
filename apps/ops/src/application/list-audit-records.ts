import { AuditRecord } from '../domain/audit';
import { OpsContext } from './ports';

/** `dlq audit`: the newest audit records, optionally of one dead-letter topic. */
export async function listAuditRecords(
  context: OpsContext,
  query: { dlqTopic?: string; limit: number },
): Promise<AuditRecord[]> {
  return (await context.audit('read')).list(query);
}
