import { DealWon, SmokeTested } from '@throughline/contracts';

export function smokeTested(runId: string, message = 'hello'): SmokeTested {
  return { runId, message, sentAt: 1_764_000_000_000 };
}

export function dealWon(dealId: string): DealWon {
  return {
    dealId,
    crm: 'HUBSPOT',
    crmDeliveryId: `delivery-${dealId}`,
    dealName: 'ERP rollout',
    customerId: 'CUST-1',
    customerName: 'Acme Consulting Client',
    currency: 'EUR',
    amountMinor: 12_000_000,
    closeDate: '2026-11-27',
    templateId: 'TPL-TM',
    lines: [
      {
        lineId: 'L1',
        legalEntityId: 'LE-DE',
        role: 'Consultant',
        rateCardId: null,
        hoursHundredths: 40_000,
        amountMinor: 12_000_000,
        currency: 'EUR',
        description: null,
      },
    ],
    salesOwnerEmail: 'owner@example.com',
  };
}
