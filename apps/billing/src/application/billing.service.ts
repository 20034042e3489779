import { Inject, Injectable } from '@nestjs/common';

import { BillingProvisioned, BillingScheduleItem } from '@throughline/contracts';
import { causedBy, ConsumedEvent, createEvent, handleOnce, MessagingRuntime } from '@throughline/messaging';
import { NotFoundError } from '@throughline/platform';

import { billingScheduleIdFor, BillingRejected, provisionBilling } from '../domain/billing-schedule';
import { BillingDb } from '../infrastructure/billing-db';
import { BillingSchedule, BillingScheduleItem as ItemRow } from '../infrastructure/prisma/generated/client';

export const BILLING_DB = Symbol('BILLING_DB');
const SOURCE = 'billing';

/** A provisioned schedule as the API shows it: the BillingProvisioned payload plus the budget. */
export type BillingScheduleView = BillingProvisioned & { budgetMinor: number };

@Injectable()
export class BillingService {
  constructor(
    @Inject(BILLING_DB) private readonly db: BillingDb,
    private readonly runtime: MessagingRuntime,
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
      let billing: BillingProvisioned;
      try {
        billing = provisionBilling(project);
      } catch (error) {
        if (!(error instanceof BillingRejected)) throw error;
        return [
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
      return [createEvent('BillingProvisioned', billing, causedBy(event, SOURCE))];
    });
  }

  async schedule(projectId: string): Promise<BillingScheduleView> {
    const row = await this.db.billingSchedule.findUnique({
      where: { projectId },
      include: { items: { orderBy: { position: 'asc' } } },
    });
    if (!row) throw new NotFoundError(`No billing schedule for project ${projectId}`);
    return viewOf(row);
  }
}

function viewOf(row: BillingSchedule & { items: ItemRow[] }): BillingScheduleView {
  return {
    projectId: row.projectId,
    dealId: row.dealId,
    billingScheduleId: row.billingScheduleId,
    billingType: row.billingType as BillingProvisioned['billingType'],
    currency: row.currency,
    revenueRule: row.revenueRule as BillingProvisioned['revenueRule'],
    budgetMinor: Number(row.budgetMinor),
    scheduleItems: row.items.map((item): BillingScheduleItem => ({
      itemId: item.itemId,
      description: item.description,
      dueDate: item.dueDate,
      amountMinor: item.amountMinor === null ? null : Number(item.amountMinor),
      milestoneId: item.milestoneId,
    })),
  };
}
