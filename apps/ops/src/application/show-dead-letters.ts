import { MessageView, toMessageView } from '../domain/dead-letter';
import { MessageFilter } from '../domain/filters';
import { selectDeadLetters } from './dead-letters';
import { OpsContext } from './ports';

export interface ShownDeadLetters {
  messages: MessageView[];
  /** More messages matched than the limit. */
  truncated: boolean;
}

/** `dlq show`: matching dead letters, decoded through the registry. */
export async function showDeadLetters(
  context: OpsContext,
  request: { topic: string; filter: MessageFilter; limit: number },
): Promise<ShownDeadLetters> {
  const selection = await selectDeadLetters(context, request.topic, request.filter, {
    command: 'dlq show',
    limit: request.limit,
  });
  return { messages: selection.matches.map(toMessageView), truncated: selection.truncated };
}
