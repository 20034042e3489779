import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';

import { isIsoDate } from '@throughline/calendar';
import { InvoiceIssued } from '@throughline/contracts';
import { parseBody } from '@throughline/messaging-nest';
import { ValidationError } from '@throughline/platform';

import { InvoicesQuery, InvoiceView, InvoicingService } from '../application/invoicing.service';
import { conflictsAs409 } from './conflict';

const issueBody = z
  .object({
    issuedOn: z.string().refine(isIsoDate, 'expected a calendar date YYYY-MM-DD').optional(),
  })
  .default({});

const STATUSES = ['DRAFT', 'ISSUED'];

@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoicing: InvoicingService) {}

  @Get()
  async list(
    @Query('status') status?: string,
    @Query('customerId') customerId?: string,
  ): Promise<InvoiceView[]> {
    if (status !== undefined && !STATUSES.includes(status)) {
      throw new ValidationError(`Invalid status "${status}": expected one of ${STATUSES.join(', ')}`);
    }
    const query: InvoicesQuery = { status, customerId };
    return this.invoicing.invoices(query);
  }

  /** One invoice with its lines. */
  @Get(':invoiceId')
  async get(@Param('invoiceId') invoiceId: string): Promise<InvoiceView> {
    return this.invoicing.invoice(invoiceId);
  }

  /** Issues a draft (issuedOn defaults to today, UTC): InvoiceIssued; its actuals become INVOICED. */
  @Post(':invoiceId/issue')
  @HttpCode(200)
  async issue(
    @Param('invoiceId') invoiceId: string,
    @Body() body: unknown,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<InvoiceIssued> {
    const { issuedOn } = parseBody(issueBody, body ?? {});
    const on = issuedOn ?? new Date().toISOString().slice(0, 10);
    return conflictsAs409(() => this.invoicing.issue(invoiceId, on, correlationId));
  }
}
