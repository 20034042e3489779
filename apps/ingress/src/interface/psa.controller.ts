import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { Response } from 'express';

import {
  ApiResponses,
  assertActor,
  BodySchema,
  Caller,
  ParamSchemas,
  parseBody,
  Principal,
  QuerySchema,
  RequireScope,
} from '@throughline/messaging-nest';

import { EntryResult, PsaIntakeService } from '../application/psa-intake.service';
import { RuleIssue } from '../domain/master-data';
import {
  parseApprovedAt,
  parseExpense,
  parseTimeEntry,
  parseTimeEntryCorrection,
  Submission,
  TimeEntryCorrectionInput,
} from '../domain/psa';
import {
  approvalsBody,
  expenseBody,
  externalId,
  listQuery,
  MAX_BATCH,
  orReject,
  parseEntries,
  timeEntryBody,
  timeEntryCorrectionBody,
} from './time-to-cash.schemas';

/**
 * Intake from a PSA or time tool: time entries and expenses (one object or a batch of up to 500),
 * and their approval, which publishes TimeEntryApproved / ExpenseApproved for billing.
 */
@Controller('psa')
export class PsaController {
  constructor(@Inject(PsaIntakeService) private readonly psa: PsaIntakeService) {}

  @RequireScope('psa:write')
  @Post('time-entries')
  @BodySchema(timeEntryBody, { batchOf: MAX_BATCH })
  @HttpCode(200)
  async postTimeEntries(
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const now = Date.now();
    const entries = parseEntries(body, {
      kind: 'time entries',
      idField: 'entryId',
      schema: timeEntryBody,
      parse: (input) => parseTimeEntry(input, now),
    });
    assertApprovers(caller, entries);
    const results = await this.psa.receiveTimeEntries(entries, correlationId);
    return summary(results.map(({ id, ...rest }) => ({ entryId: id, ...rest })));
  }

  /**
   * Corrects an approved time entry (hours, role, workDate, billable) as its next revision, which
   * publishes TimeEntryApproved again: 201 CORRECTED, or 200 UNCHANGED when it changes nothing.
   * approvedBy must be the caller or someone its token acts for (403).
   */
  @RequireScope('psa:approve')
  @Post('time-entries/:entryId/corrections')
  @ParamSchemas({ entryId: externalId })
  @BodySchema(timeEntryCorrectionBody)
  @ApiResponses(
    { status: 201, description: 'CORRECTED: the next revision, published' },
    { status: 200, description: 'UNCHANGED: the correction changes nothing' },
    { status: 404, description: 'No such time entry' },
    { status: 409, description: 'The entry is not approved' },
  )
  async correctTimeEntry(
    @Param('entryId') entryId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const correction = orReject(parseCorrection(entryId, body, Date.now()));
    // The body passed the schema, so it names its approver.
    assertActor(caller, (body as { approvedBy: string }).approvedBy, 'approvedBy');
    const result = await this.psa.correctTimeEntry(entryId, correction, correlationId);
    response.status(result.outcome === 'CORRECTED' ? 201 : 200);
    return result;
  }

  @RequireScope('psa:write')
  @Post('expenses')
  @BodySchema(expenseBody, { batchOf: MAX_BATCH })
  @HttpCode(200)
  async postExpenses(
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const now = Date.now();
    const expenses = parseEntries(body, {
      kind: 'expenses',
      idField: 'expenseId',
      schema: expenseBody,
      parse: (input) => parseExpense(input, now),
    });
    assertApprovers(caller, expenses);
    const results = await this.psa.receiveExpenses(expenses, correlationId);
    return summary(results.map(({ id, ...rest }) => ({ expenseId: id, ...rest })));
  }

  /**
   * Approves SUBMITTED time entries and expenses by id; approved ones are left as they are.
   * approvedBy must be the caller or someone its token acts for (403).
   */
  @RequireScope('psa:approve')
  @Post('approvals')
  @BodySchema(approvalsBody)
  @HttpCode(200)
  async approve(
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const request = parseBody(approvalsBody, body);
    assertActor(caller, request.approvedBy, 'approvedBy');
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
  @RequireScope('psa:read')
  @Get('time-entries')
  @QuerySchema(listQuery)
  async listTimeEntries(@Query() query: unknown) {
    return { timeEntries: await this.psa.listTimeEntries(parseBody(listQuery, query)) };
  }

  /** E.g. GET /psa/expenses?projectId=PRJ-HS-1-LE-DE */
  @RequireScope('psa:read')
  @Get('expenses')
  @QuerySchema(listQuery)
  async listExpenses(@Query() query: unknown) {
    return { expenses: await this.psa.listExpenses(parseBody(listQuery, query)) };
  }
}

/**
 * Shape and domain rules of a correction in one answer: the domain checks run on every field whose
 * shape is right, so a 400 lists every bad field at once.
 */
function parseCorrection(entryId: string, body: unknown, now: number) {
  const issues: RuleIssue[] = [];
  if (!externalId.safeParse(entryId).success) {
    issues.push({
      path: ['entryId'],
      message: 'expected 1-128 letters, digits, ".", "_", ":" or "-" (in the path)',
    });
  }
  const shape = timeEntryCorrectionBody.safeParse(body);
  if (shape.success) return parseTimeEntryCorrection(shape.data, now, issues);
  issues.push(...shape.error.issues.map((issue) => ({ path: issue.path, message: issue.message })));
  const flagged = new Set(shape.error.issues.map((issue) => String(issue.path[0])));
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const wellShaped = (field: keyof TimeEntryCorrectionInput, ...types: string[]) =>
    !flagged.has(field) && types.includes(typeof fields[field]) ? fields[field] : undefined;
  const salvaged = {
    hours: wellShaped('hours', 'string', 'number'),
    workDate: wellShaped('workDate', 'string'),
    approvedAt: wellShaped('approvedAt', 'string', 'number'),
    // Present, so the domain does not also report "nothing to correct" for a body it cannot read.
    role: '',
  } as Partial<TimeEntryCorrectionInput>;
  const result = parseTimeEntryCorrection(salvaged, now, issues);
  return result.ok ? ({ ok: false, issues } as const) : result;
}

/**
 * Entries sent as APPROVED name their approver (published as approvedBy): each must be the caller or
 * someone its token acts for, else 403 and nothing of the batch is stored.
 */
function assertApprovers(caller: Principal | undefined, submissions: readonly Submission<object>[]): void {
  const approvers = new Set(submissions.flatMap(({ approval }) => (approval ? [approval.approvedBy] : [])));
  for (const approvedBy of approvers) assertActor(caller, approvedBy, 'approvedBy');
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
