import { Inject, Injectable } from '@nestjs/common';

import { EventRecord } from '@throughline/contracts';
import { causedBy, ConsumedEvent, EventOrigin, handleOnce, MessagingRuntime } from '@throughline/messaging';

import { evaluateDeal, WonDeal } from '../domain/deal-evaluation';
import { DomainEvent } from '../domain/domain-event';
import { exceptionRaised, exceptionResolved, reconcileGaps } from '../domain/exceptions';
import { recordContractApproved, startSetup } from '../domain/setup-process';
import { ContractDb, ContractTx } from '../infrastructure/contract-db';
import {
  DealReferences,
  findDeal,
  insertDeal,
  markApproved,
  openGaps,
  pendingDealsReferencing,
  saveGapChanges,
  StoredDeal,
} from '../infrastructure/deal.repository';
import { lockDealEvaluation, lockDeals, lockMasterDataWrite } from '../infrastructure/evaluation-locks';
import {
  loadMasterData,
  rateCardLegalEntity,
  upsertCustomer,
  upsertLegalEntity,
  upsertProjectTemplate,
  upsertRateCard,
} from '../infrastructure/master-data.repository';
import { insertSetup, lockSetup, saveSetup } from '../infrastructure/setup.repository';
import { withEnvelopes } from './envelopes';
import { CONTRACT_DB, SETUP_CONFIG, SetupConfig, SOURCE } from './tokens';

/**
 * Won deals → approved contracts. A deal missing master data waits PENDING with one business
 * exception per gap; every master-data change re-evaluates the pending deals it references,
 * resolving what got fixed and approving the deal once nothing is missing.
 */
@Injectable()
export class DealApprovalService {
  constructor(
    @Inject(CONTRACT_DB) private readonly db: ContractDb,
    @Inject(SETUP_CONFIG) private readonly setup: SetupConfig,
    private readonly runtime: MessagingRuntime,
  ) {}

  /** A deal is evaluated once: a later DealWon for a known deal (a CRM resend) is ignored. */
  async dealWon(event: ConsumedEvent<'DealWon'>): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      await lockDealEvaluation(tx, event.data);
      if (await findDeal(tx, event.data.dealId)) return [];
      const { salesOwnerEmail: _personalData, ...deal } = event.data;
      const now = Date.now();
      await insertDeal(tx, deal, event.envelope.correlationId, now);
      await insertSetup(tx, startSetup(deal.dealId, now));
      const decided = await this.evaluate(tx, deal, now, 'DealWon');
      return withEnvelopes(decided, causedBy(event, SOURCE));
    });
  }

  customerUpserted(event: ConsumedEvent<'CustomerUpserted'>): Promise<void> {
    return this.masterDataChanged(event, async (tx) => {
      await lockMasterDataWrite(tx, { customerIds: [event.data.customerId] });
      await upsertCustomer(tx, event.data);
      return { customerId: event.data.customerId };
    });
  }

  legalEntityUpserted(event: ConsumedEvent<'LegalEntityUpserted'>): Promise<void> {
    return this.masterDataChanged(event, async (tx) => {
      await lockMasterDataWrite(tx, { legalEntityIds: [event.data.legalEntityId] });
      await upsertLegalEntity(tx, event.data);
      return { legalEntityIds: [event.data.legalEntityId] };
    });
  }

  rateCardUpserted(event: ConsumedEvent<'RateCardUpserted'>): Promise<void> {
    return this.masterDataChanged(event, async (tx) => {
      const { rateCardId } = event.data;
      // The card first, so its previous legal entity cannot change before it is locked too.
      await lockMasterDataWrite(tx, { rateCardIds: [rateCardId] });
      const previousLegalEntityId = await rateCardLegalEntity(tx, rateCardId);
      // A card moved to another legal entity can affect the deals of both.
      const legalEntityIds = [
        event.data.legalEntityId,
        ...(previousLegalEntityId ? [previousLegalEntityId] : []),
      ];
      await lockMasterDataWrite(tx, { legalEntityIds });
      await upsertRateCard(tx, event.data);
      return { legalEntityIds, rateCardIds: [rateCardId] };
    });
  }

  projectTemplateUpserted(event: ConsumedEvent<'ProjectTemplateUpserted'>): Promise<void> {
    return this.masterDataChanged(event, async (tx) => {
      await lockMasterDataWrite(tx, { templateIds: [event.data.templateId] });
      await upsertProjectTemplate(tx, event.data);
      return { templateId: event.data.templateId };
    });
  }

  /**
   * Updates the replica (`replicate` locks what it stores), then re-evaluates the pending deals
   * that reference what changed.
   */
  private async masterDataChanged(
    event: ConsumedEvent,
    replicate: (tx: ContractTx) => Promise<DealReferences>,
  ): Promise<void> {
    await handleOnce(this.db, this.runtime.groupId, event, async (tx) => {
      const references = await replicate(tx);
      const trigger = `${event.envelope.eventType} ${event.envelope.key}`;
      const emitted: EventRecord[] = [];
      const referencing = await pendingDealsReferencing(tx, references);
      await lockDeals(
        tx,
        referencing.map((pending) => pending.deal.dealId),
      );
      for (const { deal } of referencing) {
        // Another master-data change may have approved it while this one waited for its lock.
        const pending = await findDeal(tx, deal.dealId);
        if (pending?.status !== 'PENDING') continue;
        const decided = await this.evaluate(tx, pending.deal, Date.now(), trigger);
        emitted.push(...withEnvelopes(decided, resumedBy(pending, event)));
      }
      return emitted;
    });
  }

  /**
   * Validates the deal against the replicated master data: raises new gaps, resolves fixed ones,
   * and approves the contract (starting the setup clock) when no gap is left.
   */
  private async evaluate(
    tx: ContractTx,
    deal: WonDeal,
    now: number,
    trigger: string,
  ): Promise<DomainEvent[]> {
    const evaluation = evaluateDeal(deal, await loadMasterData(tx, deal));
    const changes = reconcileGaps(
      await openGaps(tx, deal.dealId),
      evaluation.status === 'PENDING' ? evaluation.gaps : [],
    );
    await saveGapChanges(tx, deal.dealId, changes, now);
    const decided: DomainEvent[] = [
      ...changes.resolved.map((gap) =>
        exceptionResolved(deal.dealId, gap.exceptionId, `${gap.code} no longer applies after ${trigger}`),
      ),
      ...changes.raised.map((gap) => exceptionRaised(deal.dealId, gap)),
    ];
    if (evaluation.status === 'APPROVED') {
      const { contract } = evaluation;
      await markApproved(tx, contract, now);
      const setup = await lockSetup(tx, deal.dealId);
      if (!setup) throw new Error(`Deal ${deal.dealId} has no setup process`);
      const transition = recordContractApproved(setup.process, contract, now, this.setup.deadlineMs);
      await saveSetup(tx, transition.process);
      decided.push({ type: 'ContractApproved', data: contract }, ...transition.events);
    }
    return decided;
  }
}

/**
 * Events of a deal resumed by a master-data change stay in the deal's flow (its correlation id);
 * the change that resumed it is their cause.
 */
function resumedBy(pending: StoredDeal, cause: ConsumedEvent): EventOrigin {
  return { source: SOURCE, correlationId: pending.correlationId, causationId: cause.envelope.eventId };
}
