import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query } from '@nestjs/common';

import { parseBody } from '@throughline/messaging-nest';

import { EntryResult, PsaIntakeService } from '../application/psa-intake.service';
import { RuleIssue } from '../domain/master-data';
import { parseApprovedAt, parseExpense, parseTimeEntry } from '../domain/psa';
import {
  approvalsBody,
  expenseBody,
  listQuery,
  orReject,
  parseEntries,
  timeEntryBody,
} from './time-to-cash.schemas';

/**
 * Intake from a PSA or time tool: time entries and expenses (one object or a batch of up to 500),
 * and their approval, which publishes TimeEntryApproved / ExpenseApproved for billing.
 */
@Controller('psa')
export class PsaController {
  constructor(@Inject(PsaIntakeService) private readonly psa: PsaIntakeService) {}

  @Post('time-entries')
  @HttpCode(200)
  async postTimeEntries(@Body() body: unknown, @Headers('x-correlation-id') correlationId?: string) {
    const now = Date.now();
    const entries = parseEntries(body, {
      kind: 'time entries',
      idField: 'entryId',
      schema: timeEntryBody,
      parse: (input) => parseTimeEntry(input, now),
    });
    const results = await this.psa.receiveTimeEntries(entries, correlationId);
    return summary(results.map(({ id, ...rest }) => ({ entryId: id, ...rest })));
  }

  @Post('expenses')
  @HttpCode(200)
  async postExpenses(@Body() body: unknown, @Headers('x-correlation-id') correlationId?: string) {
    const now = Date.now();
    const expenses = parseEntries(body, {
      kind: 'expenses',
      idField: 'expenseId',
      schema: expenseBody,
      parse: (input) => parseExpense(input, now),
    });
    const results = await this.psa.receiveExpenses(expenses, correlationId);
    return summary(results.map(({ id, ...rest }) => ({ expenseId: id, ...rest })));
  }

  /** Approves SUBMITTED time entries and expenses by id; approved ones are left as they are. */
  @Post('approvals')
  @HttpCode(200)
  async approve(@Body() body: unknown, @Headers('x-correlation-id') correlationId?: string) {
    const request = parseBody(approvalsBody, body);
    const issues: RuleIssue[] = [];
    const approvedAt = parseApprovedAt(request.approvedAt, Date.now(), issues);
    if (issues.length > 0) orReject({ ok: false, issues });
    const answer = await this.psa.approve(
      request,
      { approvedBy: request.approvedBy, approvedAt: approvedAt as number },
      correlationId,
    );
    return {
      approved: [...answer.timeEntries, ...answer.expenses].filter((r) => r.outcome === 'APPROVED').length,
      alreadyApproved: [...answer.timeEntries, ...answer.expenses].filter(
        (r) => r.outcome === 'ALREADY_APPROVED',
      ).length,
      timeEntries: answer.timeEntries.map(({ id, ...rest }) => ({ entryId: id, ...rest })),
      expenses: answer.expenses.map(({ id, ...rest }) => ({ expenseId: id, ...rest })),
    };
  }

  /** E.g. GET /psa/time-entries?projectId=PRJ-HS-1-LE-DE&status=APPROVED */
  @Get('time-entries')
  async listTimeEntries(@Query() query: unknown) {
    return { timeEntries: await this.psa.listTimeEntries(parseBody(listQuery, query)) };
  }

  /** E.g. GET /psa/expenses?projectId=PRJ-HS-1-LE-DE */
  @Get('expenses')
  async listExpenses(@Query() query: unknown) {
    return { expenses: await this.psa.listExpenses(parseBody(listQuery, query)) };
  }
}

function summary<R extends Omit<EntryResult, 'id'>>(results: R[]) {
  const count = (outcome: EntryResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return {
    received: results.length,
    approved: count('APPROVED'),
    unchanged: count('UNCHANGED') + count('ALREADY_APPROVED'),
    results,
  };
}
