import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';

import { EXCEPTION_OWNER_ROLES } from '@throughline/contracts';
import { parseBody } from '@throughline/messaging-nest';

import { ReportingQueries } from '../application/reporting-queries';
import { EXCEPTION_FILTERS, ExceptionsByOwner } from '../domain/business-exception';

const exceptionsQuery = z.object({
  status: z.enum(EXCEPTION_FILTERS).default('open'),
  ownerRole: z.enum(EXCEPTION_OWNER_ROLES).optional(),
});

@Controller('exceptions')
export class ExceptionsController {
  constructor(private readonly queries: ReportingQueries) {}

  /** Business exceptions grouped by the team that must act (`?status=open|resolved|all`, default open). */
  @Get()
  async list(@Query() query: unknown): Promise<ExceptionsByOwner & { status: string }> {
    const { status, ownerRole } = parseBody(exceptionsQuery, query);
    return { status, ...(await this.queries.exceptions(status, ownerRole)) };
  }
}
