import { Controller, Get, Param } from '@nestjs/common';

import { DealQueryService, DealView } from '../application/deal-query.service';
import { RequireScope } from '@throughline/messaging-nest';

@Controller('deals')
export class DealsController {
  constructor(private readonly deals: DealQueryService) {}

  /** The deal's contract state, its open (and resolved) gaps, and its project setup steps. */
  @RequireScope('contract:read')
  @Get(':dealId')
  describe(@Param('dealId') dealId: string): Promise<DealView> {
    return this.deals.describe(dealId);
  }
}
