import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';

import { isIsoDate } from '@throughline/calendar';
import { InvoiceIssued } from '@throughline/contracts';
import {
  actorOf,
  BodySchema,
  Caller,
  parseBody,
  Principal,
  QuerySchema,
  RequireScope,
} from '@throughline/messaging-nest';
import { ValidationError } from '@throughline/platform';

import {
  InvoiceHeaderView,
  InvoicesQuery,
  InvoiceView,
  InvoicingService,
  MAX_LINES_PER_PAGE,
} from '../application/invoicing.service';
import { INVOICE_STATUSES } from '../domain/cash-application';
import { conflictsAs409 } from './conflict';

/** issuedOn a calendar date from 2000 to 2100; unknown keys are refused. */
const issueBody = z
  .object({
    issuedOn: z
      .string()
      .refine(
        (value) => isIsoDate(value) && value >= '2000-01-01' && value <= '2100-12-31',
        'expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31',
      )
      .optional(),
  })
  .strict()
  .default({});

const STATUSES: readonly string[] = INVOICE_STATUSES;

const linePage = z.object({
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_LINES_PER_PAGE).default(MAX_LINES_PER_PAGE),
});

@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoicing: InvoicingService) {}

  @RequireScope('finance:read')
  @Get()
  async list(
    @Query('status') status?: string,
    @Query('customerId') customerId?: string,
  ): Promise<InvoiceHeaderView[]> {
    if (status !== undefined && !STATUSES.includes(status)) {
      throw new ValidationError(`Invalid status "${status}": expected one of ${STATUSES.join(', ')}`);
    }
    const query: InvoicesQuery = { status, customerId };
    return this.invoicing.invoices(query);
  }

  /** One invoice with a page of its detail lines (`?offset=0&limit=1000`) and `lineCount`. */
  @RequireScope('finance:read')
  @Get(':invoiceId')
  @QuerySchema(linePage)
  async get(@Param('invoiceId') invoiceId: string, @Query() query: unknown): Promise<InvoiceView> {
    const { offset, limit } = parseBody(linePage, query);
    return this.invoicing.invoice(invoiceId, { offset, limit });
  }

  /** Issues a draft (issuedOn defaults to today, UTC): InvoiceIssued; its actuals become INVOICED. */
  @RequireScope('billing:issue')
  @Post(':invoiceId/issue')
  @BodySchema(issueBody)
  @HttpCode(200)
  async issue(
    @Param('invoiceId') invoiceId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<InvoiceIssued> {
    const { issuedOn } = parseBody(issueBody, body ?? {});
    const on = issuedOn ?? new Date().toISOString().slice(0, 10);
    const issuedBy = actorOf(caller);
    return conflictsAs409(() => this.invoicing.issue(invoiceId, on, issuedBy, correlationId));
  }
}
