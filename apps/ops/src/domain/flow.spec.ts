import { entitiesOf, formatFlow, FlowEvent, mentions, selectFlow, toFlowEvent } from './flow';

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
    expect(entitiesOf(selectFlow(all, 'P1'))).toEqual({ dealIds: ['D1'], projectIds: ['P1'] });
    expect(formatFlow([dealWon]).split('\n')[1]).toMatch(
      /^1970-01-01 00:00:01\.000 +DealWon +test +D1 +evt-/,
    );
  });
});
