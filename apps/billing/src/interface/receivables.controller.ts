import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';

import { isIsoDate } from '@throughline/calendar';
import { parseBody, QuerySchema, RequireScope } from '@throughline/messaging-nest';

import { PaymentsService } from '../application/payments.service';
import { Receivables } from '../domain/cash-application';

const receivablesQuery = z.object({
  asOf: z.string().refine(isIsoDate, 'expected a calendar date YYYY-MM-DD'),
});

@Controller('receivables')
export class ReceivablesController {
  constructor(private readonly payments: PaymentsService) {}

  /** Open AR (invoiced − paid) and unapplied cash on `asOf`, per customer, legal entity and currency. */
  @RequireScope('finance:read')
  @Get()
  @QuerySchema(receivablesQuery)
  async get(@Query() query: unknown): Promise<Receivables> {
    return this.payments.receivables(parseBody(receivablesQuery, query).asOf);
  }
}
