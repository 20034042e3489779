import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { Response } from 'express';
import { z } from 'zod';

import { parseBody, QuerySchema, RequireScope } from '@throughline/messaging-nest';

import { ReportingQueries } from '../application/reporting-queries';
import { DEAL_STATUSES, DealSummary, DealTimeline } from '../domain/deal-timeline';
import { formatTimeline } from '../domain/format-timeline';

const dealsQuery = z.object({ status: z.enum(DEAL_STATUSES).optional() });
const timelineQuery = z.object({ format: z.enum(['json', 'text']).default('json') });

@Controller('deals')
export class DealsController {
  constructor(private readonly queries: ReportingQueries) {}

  /** Every deal reporting knows, with its current setup status; `?status=BLOCKED` filters. */
  @RequireScope('reports:read')
  @Get()
  @QuerySchema(dealsQuery)
  async list(@Query() query: unknown): Promise<{ deals: DealSummary[] }> {
    const { status } = parseBody(dealsQuery, query);
    return this.queries.deals(status);
  }

  /** The deal's setup timeline; `?format=text` answers the plain-text table for terminals. */
  @RequireScope('reports:read')
  @Get(':dealId/timeline')
  @QuerySchema(timelineQuery)
  async timeline(
    @Param('dealId') dealId: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DealTimeline | string> {
    const { format } = parseBody(timelineQuery, query);
    const timeline = await this.queries.timeline(dealId);
    if (format === 'json') return timeline;
    response.type('text/plain');
    return `${formatTimeline(timeline)}\n`;
  }
}
