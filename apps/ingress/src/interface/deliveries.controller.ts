import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';

import { ParamSchemas, parseBody, QuerySchema, RequireScope } from '@throughline/messaging-nest';

import { CRMS, DeliveriesService, DELIVERY_STATUSES } from '../application/deliveries.service';

const limit = z.coerce.number().int().min(1).max(500).default(50);
const listQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  crm: z.enum(CRMS).optional(),
  limit,
});
const crmParam = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(z.enum(CRMS));
/** Refused requests carry body prefixes: smaller pages. */
const refusedQuery = z.object({
  source: z.enum(['hubspot', 'salesforce']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Operator views of CRM deliveries: what was recorded, what was rejected and why. */
@Controller()
export class DeliveriesController {
  constructor(@Inject(DeliveriesService) private readonly deliveries: DeliveriesService) {}

  /** E.g. GET /deliveries?status=REJECTED&crm=HUBSPOT&limit=20 (newest first). */
  @RequireScope('ops:read')
  @Get('deliveries')
  @QuerySchema(listQuery)
  async list(@Query() query: unknown) {
    return { deliveries: await this.deliveries.list(parseBody(listQuery, query)) };
  }

  /** One delivery with its raw payload and, for HubSpot, what the CRM API answered. */
  @RequireScope('ops:read')
  @Get('deliveries/:crm/:deliveryId')
  @ParamSchemas({ crm: crmParam })
  get(@Param('crm') crm: string, @Param('deliveryId') deliveryId: string) {
    return this.deliveries.get(parseBody(crmParam, crm), deliveryId);
  }

  /** Re-queues a REJECTED HubSpot delivery after the deal was fixed in HubSpot. */
  @RequireScope('ops:replay')
  @Post('deliveries/hubspot/:deliveryId/retry')
  @HttpCode(200)
  retry(@Param('deliveryId') deliveryId: string) {
    return this.deliveries.retryHubSpot(deliveryId);
  }

  /** Requests refused before being recorded (bad signature, malformed JSON, wrong shape): at most 100 per page. */
  @RequireScope('ops:read')
  @Get('rejected-deliveries')
  @QuerySchema(refusedQuery)
  async refused(@Query() query: unknown) {
    return { rejected: await this.deliveries.listRefused(parseBody(refusedQuery, query)) };
  }
}
