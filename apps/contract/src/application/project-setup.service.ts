import { Inject, Injectable } from '@nestjs/common';

import { EventRecord } from '@throughline/contracts';
import { commit, ConsumedEvent, handleOnce, MessagingRuntime } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import {
  checkDeadline,
  recordBillingProvisioned,
  recordProjectCreated,
  recordStaffingDemandPublished,
  SetupProcess,
  SetupTransition,
} from '../domain/setup-process';
import { ContractDb } from '../infrastructure/contract-db';
import { lockDueSetups, lockSetup, saveSetup } from '../infrastructure/setup.repository';
import { withEnvelopes } from './envelopes';
import { CONTRACT_DB, SOURCE } from './tokens';

/** Overdue setups handled per deadline check (the rest wait for the next check). */
const DEADLINE_BATCH = 100;

/**
 * Process manager of project setup per deal: records ProjectCreated, StaffingDemandPublished and
 * BillingProvisioned as they arrive (in any order), reports the outcome once every project of the
 * deal is set up, and declares setups that miss their deadline OVERDUE.
 */
@Injectable()
export class ProjectSetupService {
  constructor(
    @Inject(CONTRACT_DB) private readonly db: ContractDb,
    private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  projectCreated(event: ConsumedEvent<'ProjectCreated'>): Promise<void> {
    const { projectId, legalEntityId } = event.data;
    return this.advance(event, (process, now) =>
      recordProjectCreated(process, { projectId, legalEntityId }, now),
    );
  }

  staffingDemandPublished(event: ConsumedEvent<'StaffingDemandPublished'>): Promise<void> {
    return this.advance(event, (process, now) =>
      recordStaffingDemandPublished(process, event.data.projectId, now),
    );
  }

  billingProvisioned(event: ConsumedEvent<'BillingProvisioned'>): Promise<void> {
    return this.advance(event, (process, now) =>
      recordBillingProvisioned(process, event.data.projectId, now),
    );
  }

  /** Declares every setup past its deadline OVERDUE; returns how many. */
  async checkDeadlines(now = Date.now()): Promise<number> {
    let overdue = 0;
    await commit(this.db, async (tx) => {
      const records: EventRecord[] = [];
      for (const { process, correlationId } of await lockDueSetups(tx, now, DEADLINE_BATCH)) {
        const transition = checkDeadline(process, now);
        await saveSetup(tx, transition.process);
        records.push(...withEnvelopes(transition.events, { source: SOURCE, correlationId }));
        overdue += 1;
      }
      return records;
    });
    return overdue;
  }

  private async advance(
    event: ConsumedEvent<'ProjectCreated' | 'StaffingDemandPublished' | 'BillingProvisioned'>,
    step: (process: SetupProcess, now: number) => SetupTransition,
  ): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const setup = await lockSetup(tx, event.data.dealId);
      if (!setup) {
        this.logger.warn(
          { eventId: event.envelope.eventId, dealId: event.data.dealId },
          `${event.envelope.eventType} for a deal this service never received; ignored`,
        );
        return [];
      }
      const transition = step(setup.process, Date.now());
      await saveSetup(tx, transition.process);
      // The outcome belongs to the deal's flow whatever correlation the step's producer used.
      return withEnvelopes(transition.events, {
        source: SOURCE,
        correlationId: setup.correlationId,
        causationId: event.envelope.eventId,
      });
    });
  }
}
