import { CONSUMER_TOPICS, eventDefinition, EventType } from '@throughline/contracts';

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

/**
 * The retry topic of `tier` (1-based) for one source topic and consumer group, named by the
 * catalog's `consumerTopics.retry.pattern` (`<topic>.<group>.retry.<tier>`).
 */
export function retryTopic(sourceTopic: string, groupId: string, tier: number): string {
  return CONSUMER_TOPICS.retry.pattern
    .replace('{topic}', sourceTopic)
    .replace('{group}', groupId)
    .replace('{tier}', String(tier));
}

/** One dead-letter topic per source topic and consumer group (catalog `consumerTopics.deadLetter`). */
export function deadLetterTopic(sourceTopic: string, groupId: string): string {
  return CONSUMER_TOPICS.deadLetter.pattern.replace('{topic}', sourceTopic).replace('{group}', groupId);
}
