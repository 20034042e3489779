import { entitiesOf, formatFlow, FlowEvent, mentions, outboundCallOf, selectFlow, toFlowEvent } from './flow';

let offset = 0;
function event(
  eventType: string,
  correlationId: string,
  occurredAt: number,
  data: Record<string, unknown>,
): FlowEvent {
  offset++;
  return {
    topic: `t.${eventType}`,
    partition: 0,
    offset,
    eventType,
    eventId: `evt-${offset}`,
    correlationId,
    causationId: null,
    occurredAt,
    source: 'test',
    key: String(data['dealId'] ?? data['projectId'] ?? ''),
    data,
  };
}

describe('correlation lookup', () => {
  const dealWon = event('DealWon', 'c1', 1_000, { dealId: 'D1' });
  const project = event('ProjectCreated', 'c1', 3_000, { dealId: 'D1', projectId: 'P1' });
  const demand = event('StaffingDemandPublished', 'c1', 4_000, { projectId: 'P1', dealId: 'D1' });
  const approved = event('ContractApproved', 'c1', 2_000, { dealId: 'D1', contractId: 'CTR-D1' });
  const assignment = event('AssignmentChanged', 'c9', 5_000, { projectId: 'P1', assignmentId: 'A1' });
  const other = event('DealWon', 'c2', 1_500, { dealId: 'D2' });
  const all = [assignment, demand, other, project, dealWon, approved];

  it('finds every dated version of a rate card by its id, though the message key carries the date', () => {
    const october = {
      ...event('RateCardUpserted', 'c7', 100, { rateCardId: 'RC-NL' }),
      key: 'RC-NL@2026-10-01',
    };
    const november = {
      ...event('RateCardUpserted', 'c8', 200, { rateCardId: 'RC-NL' }),
      key: 'RC-NL@2026-11-01',
    };
    expect(selectFlow([november, other, october], 'RC-NL')).toEqual([october, november]);
  });

  it('finds a deal’s whole flow, in the order it happened', () => {
    expect(selectFlow(all, 'D1').map((e) => e.eventType)).toEqual([
      'DealWon',
      'ContractApproved',
      'ProjectCreated',
      'StaffingDemandPublished',
    ]);
  });

  it('finds by project (including flows that only name the project), correlation id and event id', () => {
    expect(selectFlow(all, 'P1').map((e) => e.eventType)).toEqual([
      'DealWon',
      'ContractApproved',
      'ProjectCreated',
      'StaffingDemandPublished',
      'AssignmentChanged',
    ]);
    expect(selectFlow(all, 'c2')).toEqual([other]);
    expect(selectFlow(all, approved.eventId)).toHaveLength(4);
    expect(selectFlow(all, 'nothing')).toEqual([]);
  });

  it('reads decoded records and lists the entities a flow touched', () => {
    const decoded = toFlowEvent(
      { topic: 't', partition: 1, offset: 7 },
      {
        envelope: {
          eventId: 'e',
          eventType: 'DealWon',
          correlationId: 'c',
          causationId: null,
          occurredAt: 5,
          source: 's',
          key: 'D9',
        },
        data: { dealId: 'D9' },
      },
    );
    expect(decoded && mentions(decoded, 'D9')).toBe(true);
    expect(toFlowEvent({ topic: 't', partition: 0, offset: 0 }, 'garbage')).toBeUndefined();
    expect(entitiesOf(selectFlow(all, 'P1'))).toEqual({
      dealIds: ['D1'],
      projectIds: ['P1'],
      invoiceIds: [],
    });
    expect(formatFlow([dealWon]).split('\n')[1]).toMatch(
      /^1970-01-01 00:00:01\.000 +DealWon +test +D1 +evt-/,
    );
  });

  describe('time to cash', () => {
    const approved = event('TimeEntryApproved', 'c-time', 10_000, { entryId: 'TE-1', projectId: 'P1' });
    const actual = event('ActualChanged', 'c-time', 11_000, {
      actualId: 'TE-1',
      projectId: 'P1',
      dealId: 'D1',
      invoiceId: null,
    });
    const closed = event('BillingPeriodClosed', 'c-close', 20_000, {
      period: '2026-10',
      draftInvoices: [{ invoiceId: 'INV-1' }],
    });
    const issued = event('InvoiceIssued', 'c-issue', 21_000, {
      invoiceId: 'INV-1',
      invoiceNumber: 'LE-DE-2026-0001',
      lines: [{ projectId: 'P1', sourceIds: ['TE-1'] }],
    });
    const paid = event('PaymentReceived', 'c-pay', 30_000, { paymentId: 'PAY-1', invoiceId: 'INV-1' });
    const events = [paid, issued, closed, actual, approved, other];

    it('finds an invoice from its close to its payment, by id or number', () => {
      expect(selectFlow(events, 'INV-1').map((e) => e.eventType)).toEqual([
        'BillingPeriodClosed',
        'InvoiceIssued',
        'PaymentReceived',
      ]);
      expect(selectFlow(events, 'LE-DE-2026-0001').map((e) => e.eventType)).toEqual(['InvoiceIssued']);
      expect(entitiesOf(selectFlow(events, 'INV-1')).invoiceIds).toEqual(['INV-1']);
    });

    it('shows what outbound sent for the invoice, also in the flow of the deal its lines bill', () => {
      const linedIssue = { ...issued, data: { ...issued.data, lines: [{ projectId: 'P1', dealId: 'D7' }] } };
      const synced = {
        ...event('OutboundRecordSynced', 'c-issue', 21_500, {
          externalId: 'INV-1',
          target: 'netsuite',
          entityType: 'Invoice',
          targetRecordId: '4711',
          sourceEventType: 'InvoiceIssued',
        }),
        key: 'INV-1',
      };
      const refused = event('BusinessExceptionRaised', 'c-issue', 21_200, {
        exceptionId: 'EXC-1',
        code: 'OUTBOUND_CALL_REJECTED',
        entityType: 'Invoice',
        entityId: 'INV-1',
        details: { target: 'netsuite', targetRecordId: 'eid:INV-1', httpStatus: '400' },
      });
      const flow = selectFlow([synced, paid, linedIssue, refused, other], 'D7');
      expect(flow.map((e) => e.eventType)).toEqual([
        'InvoiceIssued',
        'BusinessExceptionRaised',
        'OutboundRecordSynced',
      ]);
      expect(flow.map(outboundCallOf)).toEqual([
        '',
        'netsuite Invoice INV-1 → eid:INV-1 rejected (HTTP 400)',
        'netsuite Invoice INV-1 → 4711 synced',
      ]);
      const lines = formatFlow(flow).split('\n');
      expect(lines[0]).toMatch(/CORRELATION ID +OUTBOUND CALL$/);
      expect(lines[3]).toMatch(
        /^1970-01-01 00:00:21\.500 +OutboundRecordSynced +test +INV-1 .*c-issue +netsuite Invoice INV-1 → 4711 synced$/,
      );
    });

    it('finds a time entry from its approval to the invoice line that bills it', () => {
      expect(selectFlow(events, 'TE-1').map((e) => e.eventType)).toEqual([
        'TimeEntryApproved',
        'ActualChanged',
        'InvoiceIssued',
      ]);
    });
  });
});
