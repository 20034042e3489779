import { Controller, Get, Param } from '@nestjs/common';

import { BillingScheduleView, BillingService } from '../application/billing.service';
import { RequireScope } from '@throughline/messaging-nest';

@Controller('billing-schedules')
export class BillingSchedulesController {
  constructor(private readonly billing: BillingService) {}

  /** The billing schedule provisioned for a project, items in billing order. */
  @RequireScope('finance:read')
  @Get(':projectId')
  async get(@Param('projectId') projectId: string): Promise<BillingScheduleView> {
    return this.billing.schedule(projectId);
  }
}
