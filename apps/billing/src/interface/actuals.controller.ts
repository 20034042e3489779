import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';

import { ACTUAL_STATUSES } from '@throughline/contracts';
import { actorOf, BodySchema, Caller, parseBody, Principal, RequireScope } from '@throughline/messaging-nest';
import { ValidationError } from '@throughline/platform';

import { ActualView } from '../application/actual-events';
import { ActualsService } from '../application/actuals.service';
import { conflictsAs409 } from './conflict';

/** Why, in 1-1,000 characters; unknown keys are refused. */
const writeOffBody = z.object({ reason: z.string().trim().min(1).max(1_000) }).strict();

@Controller('actuals')
export class ActualsController {
  constructor(private readonly actuals: ActualsService) {}

  @RequireScope('finance:read')
  @Get()
  async list(
    @Query('projectId') projectId?: string,
    @Query('status') status?: string,
  ): Promise<ActualView[]> {
    if (status !== undefined && !(ACTUAL_STATUSES as readonly string[]).includes(status)) {
      throw new ValidationError(`Invalid status "${status}": expected one of ${ACTUAL_STATUSES.join(', ')}`);
    }
    return this.actuals.list(projectId, status);
  }

  /** Writes an actual off (only while UNPRICED or UNBILLED, i.e. before it is on a draft; else 409). */
  @RequireScope('billing:write-off')
  @Post(':actualId/write-off')
  @BodySchema(writeOffBody)
  @HttpCode(200)
  async writeOff(
    @Param('actualId') actualId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<ActualView> {
    const { reason } = parseBody(writeOffBody, body);
    const actor = actorOf(caller);
    return conflictsAs409(() => this.actuals.writeOff(actualId, reason, actor, correlationId));
  }
}
