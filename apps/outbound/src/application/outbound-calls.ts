import { Inject, Injectable } from '@nestjs/common';

import { OutboundCallStatus } from '../domain/outbound-call';
import { OutboundDb } from '../infrastructure/outbound-db';
import { OUTBOUND_DB } from './outbound-delivery';

export interface OutboundCallView {
  target: string;
  entityType: string;
  externalId: string;
  targetRecordId: string;
  payloadSha256: string;
  status: OutboundCallStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  updatedAt: string;
}

export interface OutboundCallFilter {
  target?: string;
  externalId?: string;
  status?: OutboundCallStatus;
}

const MAX_ROWS = 500;

/** What was sent where: the outbound_call record, newest first. */
@Injectable()
export class OutboundCalls {
  constructor(@Inject(OUTBOUND_DB) private readonly db: OutboundDb) {}

  async list(filter: OutboundCallFilter): Promise<OutboundCallView[]> {
    const rows = await this.db.outboundCall.findMany({
      where: filter,
      orderBy: { updatedAt: 'desc' },
      take: MAX_ROWS,
    });
    return rows.map((row) => ({
      target: row.target,
      entityType: row.entityType,
      externalId: row.externalId,
      targetRecordId: row.targetRecordId,
      payloadSha256: row.payloadSha256,
      status: row.status as OutboundCallStatus,
      attempts: row.attempts,
      lastError: row.lastError,
      sentAt: row.sentAt?.toISOString() ?? null,
      updatedAt: row.updatedAt.toISOString(),
    }));
  }
}
