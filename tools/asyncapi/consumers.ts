import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const APPS_DIR = resolve(__dirname, '..', '..', 'apps');

/**
 * Which service consumes which event type, read from the services' own declarations so the AsyncAPI
 * document cannot drift from them:
 * - `@EventPattern('X')` and `@EventBatchPattern('X')` handlers in `apps/<service>/src`;
 * - the sla service, whose handlers are made from configuration: the event types its built-in SLAs
 *   start and end on (`eventType: 'X'` in `domain/sla-definition.ts`; `SLA_CONFIG_FILE` may add more at run
 *   time) and its `HISTORY_EVENT_TYPES`.
 * Every service consumes as consumer group `throughline.<service>` (messaging runtime).
 */
export function scanConsumers(eventTypes: readonly string[], appsDir = APPS_DIR): Map<string, string[]> {
  const known = new Set(eventTypes);
  const byEvent = new Map<string, Set<string>>();
  const add = (eventType: string, service: string): void => {
    if (!known.has(eventType)) return;
    const services = byEvent.get(eventType) ?? new Set<string>();
    services.add(service);
    byEvent.set(eventType, services);
  };
  for (const service of readdirSync(appsDir).sort()) {
    const src = join(appsDir, service, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/@Event(?:Batch)?Pattern\(\s*'([A-Za-z]+)'/g)) add(match[1], service);
      if (service === 'sla' && file.endsWith('sla-definition.ts')) {
        for (const match of text.matchAll(/eventType: '([A-Za-z]+)'/g)) add(match[1], service);
      }
      const history = /HISTORY_EVENT_TYPES = \[([^\]]*)\]/.exec(text);
      if (service === 'sla' && history) {
        for (const match of history[1].matchAll(/'([A-Za-z]+)'/g)) add(match[1], service);
      }
    }
  }
  return new Map([...byEvent].map(([eventType, services]) => [eventType, [...services].sort()]));
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'generated') files.push(...sourceFiles(path));
    } else if (entry.endsWith('.ts') && !entry.endsWith('.spec.ts')) files.push(path);
  }
  return files;
}
