import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';

import { EXCEPTION_OWNER_ROLES } from '@throughline/contracts';
import { parseBody, QuerySchema, RequireScope } from '@throughline/messaging-nest';

import { ReportingQueries } from '../application/reporting-queries';
import { EXCEPTION_FILTERS, ExceptionsByOwner } from '../domain/business-exception';
import { SLA_BREACH_FILTERS } from '../domain/sla-breaches';

const exceptionsQuery = z.object({
  status: z.enum(EXCEPTION_FILTERS).default('open'),
  ownerRole: z.enum(EXCEPTION_OWNER_ROLES).optional(),
});

const slaBreachesQuery = z.object({ status: z.enum(SLA_BREACH_FILTERS).default('open') });

/** What needs someone's attention: business exceptions by owner and breached business SLAs. */
@Controller()
export class ExceptionsController {
  constructor(private readonly queries: ReportingQueries) {}

  /** Business exceptions grouped by the team that must act (`?status=open|resolved|all`, default open). */
  @RequireScope('ops:read')
  @Get('exceptions')
  @QuerySchema(exceptionsQuery)
  async list(@Query() query: unknown): Promise<ExceptionsByOwner & { status: string }> {
    const { status, ownerRole } = parseBody(exceptionsQuery, query);
    return { status, ...(await this.queries.exceptions(status, ownerRole)) };
  }

  /** Breached business SLAs on any entity (`?status=open|recovered|all`, default open). */
  @RequireScope('ops:read')
  @Get('sla-breaches')
  @QuerySchema(slaBreachesQuery)
  async slaBreaches(@Query() query: unknown) {
    return this.queries.slaBreaches(parseBody(slaBreachesQuery, query).status);
  }
}
