import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';

import {
  actorOf,
  assertActor,
  BodySchema,
  Caller,
  parseBody,
  Principal,
  RequireScope,
} from '@throughline/messaging-nest';

import { FinanceIntakeService } from '../application/finance-intake.service';
import { parseChangeOrder, parsePayment } from '../domain/finance-intake';
import { changeOrderBody, orReject, paymentBody } from './time-to-cash.schemas';

/** ERP payments → PaymentReceived; approved change orders (CRM / contract system) → ChangeOrderApproved. */
@Controller()
export class FinanceController {
  constructor(@Inject(FinanceIntakeService) private readonly finance: FinanceIntakeService) {}

  @RequireScope('erp:write')
  @Post('erp/payments')
  @BodySchema(paymentBody)
  @HttpCode(200)
  async postPayment(
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const payment = orReject(parsePayment(parseBody(paymentBody, body)));
    const { outcome, eventId, record } = await this.finance.receivePayment(
      payment,
      actorOf(caller),
      correlationId,
    );
    return { paymentId: payment.paymentId, outcome, eventId, payment: record };
  }

  @RequireScope('crm:write')
  @Post('crm/change-orders')
  @BodySchema(changeOrderBody)
  @HttpCode(200)
  async postChangeOrder(
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const changeOrder = orReject(parseChangeOrder(parseBody(changeOrderBody, body)));
    // The approver the event names is the caller or someone its token acts for (403).
    assertActor(caller, changeOrder.event.approvedBy, 'approvedBy');
    const { outcome, eventId, record, currency } = await this.finance.receiveChangeOrder(
      changeOrder,
      correlationId,
    );
    return { changeOrderId: record.changeOrderId, outcome, eventId, currency, changeOrder: record };
  }
}
