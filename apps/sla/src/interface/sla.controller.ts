import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';

import { parseBody, QuerySchema, RequireScope } from '@throughline/messaging-nest';

import { BreachView, RoiFigures, SlaQueryService, SlaView } from '../application/sla-query.service';

const breachesQuery = z.object({
  status: z.enum(['open', 'recovered', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

@Controller()
export class SlaController {
  constructor(private readonly query: SlaQueryService) {}

  /** The configured SLAs with their clock counts. */
  @RequireScope('ops:read')
  @Get('slas')
  slas(): Promise<SlaView[]> {
    return this.query.slas();
  }

  /** Breaches, oldest first: `status=open` (default), `recovered` or `all`. */
  @RequireScope('ops:read')
  @Get('breaches')
  @QuerySchema(breachesQuery)
  breaches(@Query() query: unknown): Promise<BreachView[]> {
    const { status, limit } = parseBody(breachesQuery, query);
    return this.query.breaches(status, limit);
  }

  /**
   * Project-setup cycle time p50/p95, breaches per SLA, mean time to recovery, billing leakage and
   * business exceptions (raised, open, resolved, time to resolution p50/p95).
   */
  @RequireScope('reports:read')
  @Get('roi')
  roi(): Promise<RoiFigures> {
    return this.query.roi();
  }
}
