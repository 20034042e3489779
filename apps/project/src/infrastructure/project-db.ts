import { PrismaPg } from '@prisma/adapter-pg';

import { ProjectCreated } from '@throughline/contracts';

import { Prisma, PrismaClient, Project } from './prisma/generated/client';

export type ProjectDb = PrismaClient;
export type ProjectTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createProjectDb(databaseUrl: string): ProjectDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}

/**
 * A value as plain JSON for a Json column. Decoded Avro records carry prototype methods that
 * Prisma refuses to serialise, so they are copied to plain objects first.
 */
export function toJson<T>(value: T): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

/** A created project as stored (its values at creation: the plan baseline). */
export function projectRow(project: ProjectCreated) {
  return {
    ...project,
    budgetMinor: BigInt(project.budgetMinor),
    phases: toJson(project.phases),
    roles: toJson(project.roles),
  };
}

export function projectOf(row: Project): ProjectCreated {
  return {
    projectId: row.projectId,
    contractId: row.contractId,
    dealId: row.dealId,
    customerId: row.customerId,
    legalEntityId: row.legalEntityId,
    currency: row.currency,
    billingType: row.billingType as ProjectCreated['billingType'],
    templateId: row.templateId,
    name: row.name,
    startDate: row.startDate,
    endDate: row.endDate,
    budgetMinor: Number(row.budgetMinor),
    phases: row.phases as unknown as ProjectCreated['phases'],
    roles: row.roles as unknown as ProjectCreated['roles'],
    rateCardId: row.rateCardId,
  };
}

/**
 * Locks a project's row until the transaction ends, serialising change orders, milestone
 * completions and assignment changes of one project. False when the project does not exist.
 */
export async function lockProject(tx: ProjectTx, projectId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ project_id: string }[]>`
    SELECT project_id FROM project WHERE project_id = ${projectId} FOR UPDATE`;
  return rows.length > 0;
}
