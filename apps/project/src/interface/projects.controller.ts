import { Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';

import { ProjectCreated } from '@throughline/contracts';
import { parseBody } from '@throughline/messaging-nest';

import { ProjectService } from '../application/project.service';

const projectsQuery = z.object({ dealId: z.string().min(1) });

@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectService) {}

  /** The projects created for a deal (one per delivering legal entity), by project id. */
  @Get()
  async list(@Query() query: unknown): Promise<ProjectCreated[]> {
    const { dealId } = parseBody(projectsQuery, query);
    return this.projects.projectsOfDeal(dealId);
  }

  @Get(':projectId')
  async get(@Param('projectId') projectId: string): Promise<ProjectCreated> {
    return this.projects.project(projectId);
  }
}
