import { Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';

import { isIsoDate, isPeriod } from '@throughline/calendar';
import { computedDefault, parseBody, QuerySchema, RequireScope } from '@throughline/messaging-nest';

import { FiguresQueries } from '../application/figures-queries';

const period = z.string().refine(isPeriod, 'must be a calendar month YYYY-MM');
/** As-of dates default to today (UTC). */
const asOf = z
  .string()
  .refine(isIsoDate, 'must be a date YYYY-MM-DD')
  .default(computedDefault(() => new Date().toISOString().slice(0, 10), 'today (UTC)'));

const utilisationQuery = z.object({ period, groupBy: z.enum(['person', 'role']).default('person') });
const periodQuery = z.object({ period });
const asOfQuery = z.object({ asOf });

/**
 * Time-to-cash figures (issue #4). Money is integer minor units with its currency (plus a
 * formatted string); ratios are integer basis points (10 000 = 100 %), rounded half away from zero.
 */
@Controller('reports')
export class ReportsController {
  constructor(private readonly figures: FiguresQueries) {}

  @RequireScope('reports:read')
  @Get('utilisation')
  @QuerySchema(utilisationQuery)
  async utilisation(@Query() query: unknown) {
    const { period: month, groupBy } = parseBody(utilisationQuery, query);
    return this.figures.utilisation(month, groupBy);
  }

  @RequireScope('reports:read')
  @Get('backlog')
  async backlog() {
    return this.figures.backlog();
  }

  @RequireScope('finance:read')
  @Get('margin')
  async margin() {
    return this.figures.margin();
  }

  @RequireScope('finance:read')
  @Get('billing-leakage')
  @QuerySchema(asOfQuery)
  async billingLeakage(@Query() query: unknown) {
    return this.figures.leakage(parseBody(asOfQuery, query).asOf);
  }

  @RequireScope('finance:read')
  @Get('ar-ageing')
  @QuerySchema(asOfQuery)
  async arAgeing(@Query() query: unknown) {
    return this.figures.arAgeing(parseBody(asOfQuery, query).asOf);
  }

  @RequireScope('reports:read')
  @Get('delivery-risk')
  @QuerySchema(asOfQuery)
  async deliveryRisk(@Query() query: unknown) {
    return this.figures.deliveryRisk(parseBody(asOfQuery, query).asOf);
  }

  @RequireScope('reports:read')
  @Get('summary')
  @QuerySchema(periodQuery)
  async summary(@Query() query: unknown) {
    return this.figures.summary(parseBody(periodQuery, query).period);
  }

  @RequireScope('reports:read')
  @Get('projects/:projectId')
  @QuerySchema(asOfQuery)
  async project(@Param('projectId') projectId: string, @Query() query: unknown) {
    return this.figures.project(projectId, parseBody(asOfQuery, query).asOf);
  }
}
