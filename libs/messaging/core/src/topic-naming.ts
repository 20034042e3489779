import { eventDefinition, EventType } from '@throughline/contracts';

/**
 * Maps catalog topics to physical names. An optional prefix gives each environment (or each test
 * run) its own topics and registry subjects on a shared cluster; subjects follow the
 * TopicNameStrategy (`<topic>-value`).
 */
export class TopicNaming {
  constructor(readonly prefix = '') {}

  topicFor(eventType: EventType): string {
    return `${this.prefix}${eventDefinition(eventType).topic.name}`;
  }

  subjectFor(eventType: EventType): string {
    return `${this.topicFor(eventType)}-value`;
  }
}
