import { Inject, Injectable } from '@nestjs/common';

import { BillingProvisioned, BillingScheduleItem, EventRecord } from '@throughline/contracts';
import { causedBy, ConsumedEvent, createEvent, handleOnce, MessagingRuntime } from '@throughline/messaging';
import { NotFoundError, TransientError } from '@throughline/platform';

import { reconcileMilestones, reshapeRetainer } from '../domain/change-orders';
import { billingScheduleIdFor, BillingRejected, provisionBilling } from '../domain/billing-schedule';
import { BillingDb, lockBilling } from '../infrastructure/billing-db';
import { BillingSchedule, BillingScheduleItem as ItemRow } from '../infrastructure/prisma/generated/client';

import { ActualsService } from './actuals.service';
import { BILLING_DB } from './tokens';

export { BILLING_DB };
const SOURCE = 'billing';

/**
 * A provisioned schedule as the API shows it: the BillingProvisioned payload plus the budget, and per
 * item the milestone's completion date and the invoice that billed it (null until then).
 */
export type BillingScheduleView = Omit<BillingProvisioned, 'scheduleItems'> & {
  budgetMinor: number;
  scheduleItems: (BillingScheduleItem & { completedOn: string | null; invoiceId: string | null })[];
};

@Injectable()
export class BillingService {
  constructor(
    @Inject(BILLING_DB) private readonly db: BillingDb,
    private readonly runtime: MessagingRuntime,
    private readonly actuals: ActualsService,
  ) {}

  /**
   * ProjectCreated → the project's billing schedule and revenue rule, stored and published once.
   * A project that cannot be billed as it is raises a business exception for finance instead.
   */
  async provision(event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const project = event.data;
      const billingScheduleId = billingScheduleIdFor(project.projectId);
      if (await tx.billingSchedule.findUnique({ where: { billingScheduleId } })) return [];
      // Billing knows the project's terms even when its schedule is rejected: its actuals are priced.
      const priced = await this.actuals.projectKnown(tx, project, causedBy(event, SOURCE));
      let billing: BillingProvisioned;
      try {
        billing = provisionBilling(project);
      } catch (error) {
        if (!(error instanceof BillingRejected)) throw error;
        return [
          ...priced,
          createEvent(
            'BusinessExceptionRaised',
            {
              exceptionId: `EXC-${billingScheduleId}-${error.code}`,
              ownerRole: 'FINANCE_OPERATIONS',
              entityType: 'Project',
              entityId: project.projectId,
              dealId: project.dealId,
              code: error.code,
              message: error.message,
              remediation: `Correct the billing terms of project ${project.projectId} with delivery and set up its billing schedule in the ERP`,
              details: { billingType: project.billingType, budgetMinor: String(project.budgetMinor) },
            },
            causedBy(event, SOURCE),
          ),
        ];
      }
      await tx.billingSchedule.create({
        data: {
          billingScheduleId,
          projectId: billing.projectId,
          dealId: billing.dealId,
          billingType: billing.billingType,
          revenueRule: billing.revenueRule,
          currency: billing.currency,
          budgetMinor: BigInt(project.budgetMinor),
          items: {
            create: billing.scheduleItems.map((item, position) => ({
              itemId: item.itemId,
              position,
              description: item.description,
              dueDate: item.dueDate,
              amountMinor: item.amountMinor === null ? null : BigInt(item.amountMinor),
              milestoneId: item.milestoneId,
            })),
          },
        },
      });
      return [createEvent('BillingProvisioned', billing, causedBy(event, SOURCE)), ...priced];
    });
  }

  /**
   * ProjectPlanChanged (a change order applied): the new budget / fee from now on and, on
   * milestone-billed projects, the milestone schedule items added, changed or removed. Billed
   * milestones are immutable: a change to one raises a business exception for finance.
   */
  async planChanged(event: ConsumedEvent<'ProjectPlanChanged'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const plan = event.data;
      await lockBilling(tx);
      const project = await tx.billingProject.findUnique({ where: { projectId: plan.projectId } });
      if (!project) {
        // ProjectCreated travels on another topic and may not be here yet: retry until it is.
        throw new TransientError(
          `Plan change for project ${plan.projectId}, which billing does not know yet`,
        );
      }
      if (plan.planVersion <= project.planVersion) return [];
      await tx.billingProject.update({
        where: { projectId: plan.projectId },
        data: { feeMinor: BigInt(plan.budgetMinor), endDate: plan.endDate, planVersion: plan.planVersion },
      });
      const schedule = await tx.billingSchedule.findUnique({
        where: { projectId: plan.projectId },
        include: { items: { orderBy: { position: 'asc' } } },
      });
      if (!schedule) return [];
      await tx.billingSchedule.update({
        where: { projectId: plan.projectId },
        data: { budgetMinor: BigInt(Math.max(plan.budgetMinor, 0)) },
      });
      if (project.billingType === 'RETAINER') {
        const reshaped = reshapeRetainer(
          schedule.items.map((item) => ({
            itemId: item.itemId,
            dueDate: item.dueDate,
            amountMinor: item.amountMinor === null ? null : Number(item.amountMinor),
            billed: item.invoiceId !== null,
          })),
          project.startDate,
          plan.endDate,
          plan.budgetMinor,
        );
        if (reshaped.conflict !== null) {
          return [
            planConflict(
              event,
              schedule.billingScheduleId,
              'RETAINER',
              'RETAINER_CHANGE_REJECTED',
              reshaped.conflict,
              {
                budgetMinor: String(plan.budgetMinor),
                endDate: plan.endDate,
              },
            ),
          ];
        }
        for (const itemId of reshaped.remove) await tx.billingScheduleItem.delete({ where: { itemId } });
        for (const item of reshaped.change) {
          await tx.billingScheduleItem.update({
            where: { itemId: item.itemId },
            data: { amountMinor: BigInt(item.amountMinor) },
          });
        }
        let next = schedule.items.reduce((max, item) => Math.max(max, item.position), -1);
        for (const item of reshaped.add) {
          next += 1;
          await tx.billingScheduleItem.create({
            data: {
              itemId: `${schedule.billingScheduleId}-${item.dueDate.slice(0, 7)}`,
              billingScheduleId: schedule.billingScheduleId,
              position: next,
              description: item.description,
              dueDate: item.dueDate,
              amountMinor: BigInt(item.amountMinor),
              milestoneId: null,
            },
          });
        }
        return [];
      }
      if (project.billingType !== 'FIXED_FEE_MILESTONE') return [];
      const change = reconcileMilestones(
        schedule.items.flatMap((item) =>
          item.milestoneId === null
            ? []
            : [
                {
                  itemId: item.itemId,
                  milestoneId: item.milestoneId,
                  description: item.description,
                  dueDate: item.dueDate,
                  amountMinor: item.amountMinor === null ? null : Number(item.amountMinor),
                  billed: item.invoiceId !== null,
                },
              ],
        ),
        plan.milestones,
      );
      for (const itemId of change.remove) await tx.billingScheduleItem.delete({ where: { itemId } });
      for (const item of change.change) {
        await tx.billingScheduleItem.update({
          where: { itemId: item.itemId },
          data: {
            description: item.description,
            dueDate: item.dueDate,
            amountMinor: BigInt(item.amountMinor),
          },
        });
      }
      let position = schedule.items.reduce((max, item) => Math.max(max, item.position), -1);
      for (const item of change.add) {
        position += 1;
        await tx.billingScheduleItem.create({
          data: {
            itemId: `${schedule.billingScheduleId}-${item.milestoneId}`,
            billingScheduleId: schedule.billingScheduleId,
            position,
            description: item.description,
            dueDate: item.dueDate,
            amountMinor: BigInt(item.amountMinor),
            milestoneId: item.milestoneId,
          },
        });
      }
      return change.conflicts.map((conflict) =>
        planConflict(
          event,
          schedule.billingScheduleId,
          conflict.milestoneId,
          'BILLED_MILESTONE_CHANGED',
          `${conflict.reason}; billed milestones are not changed`,
          { milestoneId: conflict.milestoneId, itemId: conflict.itemId },
        ),
      );
    });
  }

  async schedule(projectId: string): Promise<BillingScheduleView> {
    const row = await this.db.billingSchedule.findUnique({
      where: { projectId },
      include: { items: { orderBy: { position: 'asc' } } },
    });
    if (!row) throw new NotFoundError(`No billing schedule for project ${projectId}`);
    const completed = await this.db.completedMilestone.findMany({ where: { projectId } });
    return viewOf(row, new Map(completed.map((m) => [m.milestoneId, m.completedOn])));
  }
}

/** A change order billing cannot apply as it is: finance settles it with delivery. */
function planConflict(
  event: ConsumedEvent<'ProjectPlanChanged'>,
  billingScheduleId: string,
  subject: string,
  code: string,
  reason: string,
  details: Record<string, string>,
): EventRecord<'BusinessExceptionRaised'> {
  const plan = event.data;
  return createEvent(
    'BusinessExceptionRaised',
    {
      exceptionId: `EXC-${billingScheduleId}-${subject}-${code}`,
      ownerRole: 'FINANCE_OPERATIONS',
      entityType: 'Project',
      entityId: plan.projectId,
      dealId: plan.dealId,
      code,
      message: `Change order ${plan.changeOrderId} on project ${plan.projectId}: ${reason}`,
      remediation: `Agree with delivery how to settle what was already billed on project ${plan.projectId} (credit note or a corrective change order)`,
      details: { ...details, changeOrderId: plan.changeOrderId, planVersion: String(plan.planVersion) },
    },
    causedBy(event, SOURCE),
  );
}

function viewOf(
  row: BillingSchedule & { items: ItemRow[] },
  completedOn: ReadonlyMap<string, string>,
): BillingScheduleView {
  return {
    projectId: row.projectId,
    dealId: row.dealId,
    billingScheduleId: row.billingScheduleId,
    billingType: row.billingType as BillingProvisioned['billingType'],
    currency: row.currency,
    revenueRule: row.revenueRule as BillingProvisioned['revenueRule'],
    budgetMinor: Number(row.budgetMinor),
    scheduleItems: row.items.map((item) => ({
      itemId: item.itemId,
      description: item.description,
      dueDate: item.dueDate,
      amountMinor: item.amountMinor === null ? null : Number(item.amountMinor),
      milestoneId: item.milestoneId,
      completedOn: item.milestoneId === null ? null : (completedOn.get(item.milestoneId) ?? null),
      invoiceId: item.invoiceId,
    })),
  };
}
