import { CONSUMER_TOPICS, EVENTS, EVENT_TYPES, TOPICS } from '../generated/catalog';
import type { EventType } from '../generated/payloads';
import { SAMPLE_PAYLOADS } from '../testing';

import {
  eventDefinition,
  eventTypeForTopic,
  isEventType,
  messageKeyOf,
  partitionKeyOf,
  registeredSchema,
} from './events';

describe('topic catalog', () => {
  it('gives every event type a topic from TOPICS', () => {
    const topics = Object.values(TOPICS);
    expect(EVENT_TYPES.length).toBeGreaterThan(0);
    expect(Object.keys(EVENTS)).toEqual([...EVENT_TYPES]);
    for (const eventType of EVENT_TYPES) {
      expect(EVENTS[eventType].eventType).toBe(eventType);
      expect(topics).toContain(EVENTS[eventType].topic);
    }
  });

  it('has unique topic names, one event type per topic, and every topic used', () => {
    const names = Object.values(TOPICS).map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const used = EVENT_TYPES.map((t) => EVENTS[t].topic.name);
    expect(new Set(used).size).toBe(used.length);
    expect([...used].sort()).toEqual([...names].sort());
  });

  it('uses TopicNameStrategy subjects: <topic>-value', () => {
    for (const eventType of EVENT_TYPES) {
      expect(EVENTS[eventType].subject).toBe(`${EVENTS[eventType].topic.name}-value`);
    }
  });

  it('names topics throughline.<domain>.<event-kebab>', () => {
    for (const eventType of EVENT_TYPES) {
      const kebab = eventType.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
      expect(EVENTS[eventType].topic.name).toMatch(new RegExp(`^throughline\\.[a-z]+\\.${kebab}$`));
    }
  });

  it('keys every topic by a string field of its payload', () => {
    for (const eventType of EVENT_TYPES) {
      const payload = SAMPLE_PAYLOADS[eventType] as unknown as Record<string, unknown>;
      expect(typeof payload[EVENTS[eventType].topic.key]).toBe('string');
    }
  });

  it('keys rate cards by card and effective date, so compaction keeps every dated version (#13 item 1)', () => {
    const october = { ...SAMPLE_PAYLOADS.RateCardUpserted, rateCardId: 'RC-NL', effectiveFrom: '2026-10-01' };
    const november = { ...october, effectiveFrom: '2026-11-01' };
    expect(messageKeyOf('RateCardUpserted', october)).toBe('RC-NL@2026-10-01');
    expect(messageKeyOf('RateCardUpserted', november)).toBe('RC-NL@2026-11-01');
    expect(partitionKeyOf('RateCardUpserted', november)).toBe('RC-NL');
    expect(messageKeyOf('RateCardUpserted', { ...october, effectiveFrom: '' })).toBeUndefined();
    // Every other topic is keyed by its key field alone.
    const dealWon = SAMPLE_PAYLOADS.DealWon;
    expect(messageKeyOf('DealWon', dealWon)).toBe(dealWon.dealId);
    expect(
      Object.values(TOPICS)
        .filter((topic) => topic.keyVersion !== undefined)
        .map((t) => t.name),
    ).toEqual(['throughline.masterdata.rate-card-upserted']);
  });

  it('has sane topic settings', () => {
    for (const topic of Object.values(TOPICS)) {
      expect(topic.partitions).toBeGreaterThan(0);
      // Business topics are the system of record: replay reads them from the beginning.
      if (topic.kind === 'business' || topic.cleanupPolicy === 'compact') expect(topic.retentionMs).toBe(-1);
      else expect(topic.retentionMs).toBeGreaterThan(0);
      expect(topic.owner).not.toBe('');
      expect(topic.description).not.toBe('');
    }
    expect(TOPICS.customerUpserted.cleanupPolicy).toBe('compact');
    expect(TOPICS.smokeTested.kind).toBe('tooling');
    expect(CONSUMER_TOPICS.retry.retentionMs).toBeGreaterThan(0);
    expect(CONSUMER_TOPICS.deadLetter.retentionMs).toBe(-1);
    expect(TOPICS.dealWon.key).toBe('dealId');
  });

  it('records the producing service of every event type, matching its topic owner', () => {
    for (const eventType of EVENT_TYPES) {
      expect(EVENTS[eventType].owner).toBe(EVENTS[eventType].topic.owner);
    }
    expect(EVENTS.DealWon.owner).toBe('ingress');
    expect(EVENTS.ProjectSetupCompleted.owner).toBe('contract');
  });
});

describe('lookups', () => {
  it('eventDefinition returns the catalog entry and rejects unknown types', () => {
    expect(eventDefinition('DealWon')).toBe(EVENTS.DealWon);
    expect(() => eventDefinition('Nope' as EventType)).toThrow(/Unknown event type 'Nope'/);
    expect(isEventType('DealWon')).toBe(true);
    expect(isEventType('toString')).toBe(false);
  });

  it('eventTypeForTopic maps topic names back to event types', () => {
    for (const eventType of EVENT_TYPES) {
      expect(eventTypeForTopic(EVENTS[eventType].topic.name)).toBe(eventType);
    }
    expect(eventTypeForTopic('throughline.unknown.topic')).toBeUndefined();
  });

  it('registeredSchema returns a version, latest by default', () => {
    expect(registeredSchema('DealWon')).toBe(EVENTS.DealWon.versions[2]);
    expect(registeredSchema('DealWon', 1)).toBe(EVENTS.DealWon.versions[1]);
    expect(() => registeredSchema('DealWon', 3)).toThrow(/no schema version 3/);
  });
});
