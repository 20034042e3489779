import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';

import { BodySchema, ParamSchemas, parseBody, RequireScope } from '@throughline/messaging-nest';

import { ProjectionRebuilds, ProjectionView } from '../application/projection-rebuilds';

const EARLIEST_REBUILD = Date.parse('2000-01-01T00:00:00Z');

/** A version in the path: a positive integer that fits the version column (PostgreSQL integer). */
const projectionVersion = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'expected a projection version (a positive integer)')
  .transform(Number)
  .refine((version) => version <= 2_147_483_647, 'expected a projection version (a positive integer)');

/** `beginning`, `current-state`, or a time from 2000 until now; unknown keys are refused. */
const rebuildBody = z
  .object({
    from: z.union([
      z.literal('beginning'),
      z.literal('current-state'),
      z
        .string()
        .datetime({ offset: true })
        .refine((value) => Date.parse(value) <= Date.now(), 'must not be in the future')
        .refine((value) => Date.parse(value) >= EARLIEST_REBUILD, 'must not be before 2000 (or "beginning")'),
    ]),
  })
  .strict();

/**
 * Read-model rebuilds, e.g. after a projection bug fix:
 *   curl -X POST localhost:3006/projections/rebuild -H 'content-type: application/json' \
 *     -d '{"from":"beginning"}'            # or {"from":"current-state"}, {"from":"2026-11-01T00:00:00Z"}
 *   curl localhost:3006/projections         # state, event counts, rebuild lag
 */
@Controller('projections')
export class ProjectionsController {
  constructor(private readonly rebuilds: ProjectionRebuilds) {}

  @RequireScope('ops:read')
  @Get()
  async list(): Promise<{ projections: ProjectionView[] }> {
    return this.rebuilds.list();
  }

  /** Starts building a fresh projection; it replaces the active one by itself once caught up. */
  @RequireScope('projections:admin')
  @Post('rebuild')
  @BodySchema(rebuildBody)
  @HttpCode(202)
  async rebuild(@Body() body: unknown): Promise<ProjectionView> {
    const { from } = parseBody(rebuildBody, body);
    return this.rebuilds.start(
      from === 'beginning' || from === 'current-state'
        ? { from }
        : { from: 'timestamp', at: Date.parse(from) },
    );
  }

  /** Drops the tables of a retired projection. */
  @RequireScope('projections:admin')
  @Delete(':version')
  @ParamSchemas({ version: projectionVersion })
  async drop(@Param('version') version: string): Promise<ProjectionView> {
    return this.rebuilds.drop(parseBody(projectionVersion, version));
  }
}
