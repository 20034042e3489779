import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';

import { isPeriod } from '@throughline/calendar';
import { BillingPeriodClosed } from '@throughline/contracts';
import { assertActor, Caller, parseBody, Principal, RequireScope } from '@throughline/messaging-nest';
import { ValidationError } from '@throughline/platform';

import { BillingPeriodView, InvoicingService, PeriodRevenueView } from '../application/invoicing.service';
import { conflictsAs409 } from './conflict';

const closeBody = z.object({ closedBy: z.string().min(1) });

@Controller('billing-periods')
export class BillingPeriodsController {
  constructor(private readonly invoicing: InvoicingService) {}

  /** Periods with actuals (OPEN) and closed periods, in order. */
  @RequireScope('finance:read')
  @Get()
  async list(): Promise<BillingPeriodView[]> {
    return this.invoicing.periods();
  }

  /** Revenue recognized at the period's close, per project and currency (empty before the close). */
  @RequireScope('finance:read')
  @Get(':period/revenue')
  async revenue(@Param('period') period: string): Promise<PeriodRevenueView> {
    if (!isPeriod(period)) throw new ValidationError(`Invalid period "${period}": expected YYYY-MM`);
    return this.invoicing.revenue(period);
  }

  /**
   * Closes a period: draft invoices, revenue recognition, BillingPeriodClosed. 409 if closed; 422 if it
   * could not finish; 403 if closedBy is not the caller (or someone its token acts for).
   */
  @RequireScope('billing:close')
  @Post(':period/close')
  @HttpCode(200)
  async close(
    @Param('period') period: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<BillingPeriodClosed> {
    if (!isPeriod(period)) throw new ValidationError(`Invalid period "${period}": expected YYYY-MM`);
    const { closedBy } = parseBody(closeBody, body);
    assertActor(caller, closedBy, 'closedBy');
    return conflictsAs409(() => this.invoicing.closePeriod(period, closedBy, correlationId));
  }
}
