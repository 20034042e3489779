import { Body, Controller, Headers, HttpCode, Param, Put } from '@nestjs/common';
import { z } from 'zod';

import { isIsoDate } from '@throughline/calendar';
import { AssignmentChanged, ASSIGNMENT_STATUSES } from '@throughline/contracts';
import { actorOf, BodySchema, Caller, parseBody, Principal, RequireScope } from '@throughline/messaging-nest';

import { StaffingService } from '../application/staffing.service';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(
    (value) => isIsoDate(value) && value >= '2000-01-01' && value <= '2100-12-31',
    'expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31',
  );
/** Ids of projects, people and assignments: 1-128 letters, digits, ".", "_", ":" or "-". */
const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'expected 1-128 letters, digits, ".", "_", ":" or "-"');

/** Unknown keys are refused; hours are bounded (10,000,000 hundredths: 100,000 hours). */
const assignmentBody = z
  .object({
    projectId: id,
    personId: id,
    role: z.string().trim().min(1).max(200),
    hoursHundredths: z.number().int().nonnegative().max(10_000_000),
    startDate: isoDate,
    endDate: isoDate,
    costRateMinor: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    status: z.enum(ASSIGNMENT_STATUSES as unknown as [string, ...string[]]).default('CONFIRMED'),
  })
  .strict();

@Controller('assignments')
export class AssignmentsController {
  constructor(private readonly staffing: StaffingService) {}

  /** Creates or replaces an assignment (idempotent per assignment id). */
  @RequireScope('staffing:write')
  @Put(':assignmentId')
  @BodySchema(assignmentBody)
  @HttpCode(200)
  async put(
    @Param('assignmentId') assignmentId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<AssignmentChanged> {
    parseBody(z.object({ assignmentId: id }), { assignmentId });
    const request = parseBody(assignmentBody, body);
    return this.staffing.assign(
      { ...request, assignmentId, status: request.status as AssignmentChanged['status'] },
      actorOf(caller),
      correlationId,
    );
  }
}
