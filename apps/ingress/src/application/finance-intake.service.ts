import { ConflictException, Inject, Injectable } from '@nestjs/common';

import { ChangeOrderApproved } from '@throughline/contracts';
import { commit, createEvent, EventOrigin } from '@throughline/messaging';
import { Logger, LOGGER } from '@throughline/messaging-nest';

import { differingFields, ParsedChangeOrder, PaymentFacts } from '../domain/finance-intake';
import { IngressDb } from '../infrastructure/ingress-db';
import { INGRESS_DB, SOURCE } from './tokens';

export interface RelayResult<T> {
  /** PUBLISHED: first time, the event was published; UNCHANGED: identical re-send, nothing sent. */
  outcome: 'PUBLISHED' | 'UNCHANGED';
  eventId: string;
  record: T;
}

/**
 * ERP payments (PaymentReceived) and approved change orders (ChangeOrderApproved): one event per
 * id, ever. An identical re-send is answered as before; different content under a known id is a
 * conflict, since neither event has a way to express a correction.
 */
@Injectable()
export class FinanceIntakeService {
  constructor(
    @Inject(INGRESS_DB) private readonly db: IngressDb,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * `actor` (the verified caller) is recorded in the event's `recordedBy`; the stored payment, which
   * a re-send is compared with, holds the ERP's facts only.
   */
  async receivePayment(
    payment: PaymentFacts,
    actor: string,
    correlationId?: string,
  ): Promise<RelayResult<PaymentFacts>> {
    const origin: EventOrigin = { source: SOURCE, correlationId };
    const event = createEvent('PaymentReceived', { ...payment, recordedBy: actor }, origin);
    let eventId = event.envelope.eventId;
    const events = await commit(this.db, async (tx) => {
      const inserted = await tx.$queryRaw<{ event_id: string }[]>`
        INSERT INTO erp_payment (payment_id, payload, event_id)
        VALUES (${payment.paymentId}, ${JSON.stringify(payment)}::jsonb, ${event.envelope.eventId})
        ON CONFLICT (payment_id) DO NOTHING
        RETURNING event_id`;
      if (inserted[0]) return [event];
      const known = await tx.erpPayment.findUniqueOrThrow({ where: { paymentId: payment.paymentId } });
      const changed = differingFields(known.payload as Record<string, unknown>, { ...payment });
      if (changed.length > 0) {
        throw new ConflictException({
          error: `payment ${payment.paymentId} was already received with different ${changed.join(', ')}; nothing was published`,
          paymentId: payment.paymentId,
          changed,
        });
      }
      eventId = known.eventId;
      return [];
    });
    const answer: RelayResult<PaymentFacts> = {
      outcome: events.length > 0 ? 'PUBLISHED' : 'UNCHANGED',
      eventId,
      record: payment,
    };
    this.logger.info(
      {
        correlationId,
        actor,
        paymentId: payment.paymentId,
        outcome: answer.outcome,
        eventId: answer.eventId,
      },
      'ERP payment received',
    );
    return answer;
  }

  async receiveChangeOrder(
    changeOrder: ParsedChangeOrder,
    correlationId?: string,
  ): Promise<RelayResult<ChangeOrderApproved> & { currency: string }> {
    const origin: EventOrigin = { source: SOURCE, correlationId };
    const data = changeOrder.event;
    const event = createEvent('ChangeOrderApproved', data, origin);
    let eventId = event.envelope.eventId;
    const events = await commit(this.db, async (tx) => {
      const inserted = await tx.$queryRaw<{ event_id: string }[]>`
        INSERT INTO crm_change_order (change_order_id, project_id, currency, payload, event_id)
        VALUES (${data.changeOrderId}, ${data.projectId}, ${changeOrder.currency},
                ${JSON.stringify(data)}::jsonb, ${event.envelope.eventId})
        ON CONFLICT (change_order_id) DO NOTHING
        RETURNING event_id`;
      if (inserted[0]) return [event];
      const known = await tx.crmChangeOrder.findUniqueOrThrow({
        where: { changeOrderId: data.changeOrderId },
      });
      const changed = differingFields(
        { ...(known.payload as Record<string, unknown>), currency: known.currency },
        { ...data, currency: changeOrder.currency },
      );
      if (changed.length > 0) {
        throw new ConflictException({
          error: `change order ${data.changeOrderId} was already approved with different ${changed.join(', ')}; nothing was published (send a new change order instead)`,
          changeOrderId: data.changeOrderId,
          changed,
        });
      }
      eventId = known.eventId;
      return [];
    });
    const outcome = events.length > 0 ? 'PUBLISHED' : 'UNCHANGED';
    this.logger.info(
      {
        correlationId,
        approvedBy: data.approvedBy,
        changeOrderId: data.changeOrderId,
        projectId: data.projectId,
        outcome,
        eventId,
      },
      'change order received',
    );
    return { outcome, eventId, record: data, currency: changeOrder.currency };
  }
}
