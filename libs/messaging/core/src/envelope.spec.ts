import { sampleEventRecord } from '@throughline/contracts/testing';
import { withLogContext } from '@throughline/platform';

import { causedBy, createEvent } from './envelope';

describe('createEvent', () => {
  const data = sampleEventRecord('MilestoneCompleted').data;

  it('fills the envelope, keyed by the catalog key field', () => {
    const event = createEvent('MilestoneCompleted', data, { source: 'project' }, () => 42);
    expect(event.envelope).toMatchObject({
      eventType: 'MilestoneCompleted',
      occurredAt: 42,
      source: 'project',
      key: data.projectId,
      causationId: null,
    });
  });

  it('starts a new flow (correlation id = event id) outside any request or event', () => {
    const event = createEvent('MilestoneCompleted', data, { source: 'project' });
    expect(event.envelope.correlationId).toBe(event.envelope.eventId);
  });

  it('joins the flow of the request being handled when no correlation id is given', () => {
    const event = withLogContext({ correlationId: 'caller-42' }, () =>
      createEvent('MilestoneCompleted', data, { source: 'project' }),
    );
    expect(event.envelope.correlationId).toBe('caller-42');
  });

  it('keeps an explicit correlation id and the cause over the log context', () => {
    const cause = createEvent('MilestoneCompleted', data, { source: 'project', correlationId: 'flow-1' });
    const event = withLogContext({ correlationId: 'other' }, () =>
      createEvent('MilestoneCompleted', data, causedBy(cause, 'billing')),
    );
    expect(event.envelope).toMatchObject({ correlationId: 'flow-1', causationId: cause.envelope.eventId });
  });
});
