import { Body, Controller, Headers, HttpCode, Param, Put } from '@nestjs/common';
import { z } from 'zod';

import { AssignmentChanged, ASSIGNMENT_STATUSES } from '@throughline/contracts';
import { BodySchema, parseBody, RequireScope } from '@throughline/messaging-nest';

import { StaffingService } from '../application/staffing.service';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

const assignmentBody = z.object({
  projectId: z.string().min(1),
  personId: z.string().min(1),
  role: z.string().min(1),
  hoursHundredths: z.number().int().nonnegative(),
  startDate: isoDate,
  endDate: isoDate,
  costRateMinor: z.number().int().nonnegative(),
  status: z.enum(ASSIGNMENT_STATUSES as unknown as [string, ...string[]]).default('CONFIRMED'),
});

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
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<AssignmentChanged> {
    const request = parseBody(assignmentBody, body);
    return this.staffing.assign(
      { ...request, assignmentId, status: request.status as AssignmentChanged['status'] },
      correlationId,
    );
  }
}
