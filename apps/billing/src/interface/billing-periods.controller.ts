import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';

import { isPeriod } from '@throughline/calendar';
import { BillingPeriodClosed } from '@throughline/contracts';
import {
  assertActor,
  BodySchema,
  Caller,
  parseBody,
  Principal,
  RequireScope,
} from '@throughline/messaging-nest';
import { ValidationError } from '@throughline/platform';

import { BillingPeriodView, InvoicingService, PeriodRevenueView } from '../application/invoicing.service';
import { conflictsAs409 } from './conflict';

/** Who closes: a user id (the caller or someone its token acts for); unknown keys are refused. */
const closeBody = z
  .object({
    closedBy: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
        'expected a user id (1-128 letters, digits, ".", "_", ":" or "-")',
      ),
  })
  .strict();

/** Periods a close may name: 2000-01 to 2100-12 (a close of 9999-12 would take every future period's actuals). */
function isClosablePeriod(period: string): boolean {
  return isPeriod(period) && period >= '2000-01' && period <= '2100-12';
}

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
  @BodySchema(closeBody)
  @HttpCode(200)
  async close(
    @Param('period') period: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<BillingPeriodClosed> {
    if (!isClosablePeriod(period)) {
      throw new ValidationError(`Invalid period "${period}": expected YYYY-MM from 2000-01 to 2100-12`);
    }
    const { closedBy } = parseBody(closeBody, body);
    assertActor(caller, closedBy, 'closedBy');
    return conflictsAs409(() => this.invoicing.closePeriod(period, closedBy, correlationId));
  }
}
