import {
  Body,
  ConflictException,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { z } from 'zod';

import { isIsoDate } from '@throughline/calendar';
import { MilestoneCompleted, ProjectCreated } from '@throughline/contracts';
import {
  assertActor,
  BodySchema,
  Caller,
  parseBody,
  Principal,
  QuerySchema,
  RequireScope,
} from '@throughline/messaging-nest';

import { ForecastView, PlanService, PlanView } from '../application/plan.service';
import { ProjectService } from '../application/project.service';

const projectsQuery = z.object({ dealId: z.string().min(1) });

/** A calendar date from 2000 to 2100, a user id; unknown keys are refused. */
const completionBody = z
  .object({
    completedOn: z
      .string()
      .refine(
        (value) => isIsoDate(value) && value >= '2000-01-01' && value <= '2100-12-31',
        'expected a calendar date YYYY-MM-DD from 2000-01-01 to 2100-12-31',
      ),
    completedBy: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
        'expected a user id (1-128 letters, digits, ".", "_", ":" or "-")',
      ),
  })
  .strict();

@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectService,
    private readonly plans: PlanService,
  ) {}

  /** The projects created for a deal (one per delivering legal entity), by project id. */
  @RequireScope('project:read')
  @Get()
  @QuerySchema(projectsQuery)
  async list(@Query() query: unknown): Promise<ProjectCreated[]> {
    const { dealId } = parseBody(projectsQuery, query);
    return this.projects.projectsOfDeal(dealId);
  }

  /** The project as created (its baseline); see /plan for the current plan. */
  @RequireScope('project:read')
  @Get(':projectId')
  async get(@Param('projectId') projectId: string): Promise<ProjectCreated> {
    return this.projects.project(projectId);
  }

  /** Baseline vs current plan (budget, end date, hours per role, milestones with status), change orders. */
  @RequireScope('project:read')
  @Get(':projectId/plan')
  async plan(@Param('projectId') projectId: string): Promise<PlanView> {
    return this.plans.plan(projectId);
  }

  /** Forecast revenue (current budget), cost (active assignments) and margin. */
  @RequireScope('project:read')
  @Get(':projectId/forecast')
  async forecast(@Param('projectId') projectId: string): Promise<ForecastView> {
    return this.plans.forecast(projectId);
  }

  /**
   * Completes a milestone → MilestoneCompleted. Repeating it with the same date answers 200 with
   * the earlier completion and publishes nothing; another date is a 409. completedBy must be the
   * caller or someone its token acts for (403).
   */
  @RequireScope('psa:write')
  @Post(':projectId/milestones/:milestoneId/complete')
  @BodySchema(completionBody)
  @HttpCode(200)
  async complete(
    @Param('projectId') projectId: string,
    @Param('milestoneId') milestoneId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<MilestoneCompleted> {
    const request = parseBody(completionBody, body);
    assertActor(caller, request.completedBy, 'completedBy');
    const result = await this.plans.completeMilestone(projectId, { milestoneId, ...request }, correlationId);
    if (result.kind === 'conflict') {
      throw new ConflictException({
        error: `Milestone ${milestoneId} of project ${projectId} was already completed on ${result.existing.completedOn} by ${result.existing.completedBy}`,
        completedOn: result.existing.completedOn,
        completedBy: result.existing.completedBy,
      });
    }
    return result.event;
  }
}
