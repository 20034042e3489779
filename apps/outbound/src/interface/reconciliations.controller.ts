import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';

import { BodySchema, parseBody, RequireScope } from '@throughline/messaging-nest';

import { RECONCILED_ENTITY_TYPES, Reconciliation, ReconciliationReport } from '../application/reconciliation';

/** Which target and which of its record types to compare (all three when left out). */
const reconciliationBody = z
  .object({
    target: z.literal('netsuite'),
    entityTypes: z
      .array(z.enum(RECONCILED_ENTITY_TYPES))
      .min(1)
      .default([...RECONCILED_ENTITY_TYPES]),
  })
  .strict();

/**
 * On-demand reconciliation with the ERP:
 *   curl -X POST localhost:3008/reconciliations -H 'content-type: application/json' \
 *     -d '{"target":"netsuite","entityTypes":["Invoice"]}'
 * Reads the ERP and answers the report; the differences become business exceptions (each raised
 * once, resolved when a later run no longer finds it), so running it again changes nothing.
 */
@Controller('reconciliations')
export class ReconciliationsController {
  constructor(private readonly reconciliation: Reconciliation) {}

  @RequireScope('outbound:read')
  @Post()
  @BodySchema(reconciliationBody)
  @HttpCode(200)
  async run(@Body() body: unknown): Promise<ReconciliationReport> {
    return this.reconciliation.run(parseBody(reconciliationBody, body));
  }
}
