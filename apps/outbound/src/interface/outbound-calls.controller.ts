import { Controller, Get, Query } from '@nestjs/common';

import { ValidationError } from '@throughline/platform';

import { OutboundCalls, OutboundCallView } from '../application/outbound-calls';
import { OUTBOUND_CALL_STATUSES, OutboundCallStatus } from '../domain/outbound-call';
import { RequireScope } from '@throughline/messaging-nest';

@Controller('outbound-calls')
export class OutboundCallsController {
  constructor(private readonly calls: OutboundCalls) {}

  /** The calls made to targets (e.g. `?externalId=HS-123` for one deal), newest first. */
  @RequireScope('outbound:read')
  @Get()
  async list(
    @Query('target') target?: string,
    @Query('externalId') externalId?: string,
    @Query('status') status?: string,
  ): Promise<OutboundCallView[]> {
    if (status !== undefined && !(OUTBOUND_CALL_STATUSES as readonly string[]).includes(status)) {
      throw new ValidationError(
        `Invalid status "${status}": expected one of ${OUTBOUND_CALL_STATUSES.join(', ')}`,
      );
    }
    return this.calls.list({ target, externalId, status: status as OutboundCallStatus | undefined });
  }
}
