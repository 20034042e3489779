import { randomInt } from 'node:crypto';

/**
 * The ids of one demo run's own entities. `npm start` runs the demo again and again on the same
 * databases and topics, after runs that completed or failed half way, and other people book into
 * the same services. Whatever an earlier run left behind must not change the story: the NL deal
 * must find no rate card, pricing must see only this run's NL rates, and the figures printed must
 * count only this run's customer, projects and people. So those are this run's own; the DE and FR
 * legal entities, their rate cards and the templates are shared master data whose content never
 * changes, so seeding them again is a no-op.
 */
export interface DemoScope {
  /** Numbers this run's HubSpot deals and webhook events. */
  run: number;
  customerId: string;
  /** The NL legal entity, whose rate card is missing until step 5. */
  nlLegalEntityId: string;
  /** The NL rate card the NL deal names, and its mid-month successor. */
  nlRateCardId: string;
  nlRaisedRateCardId: string;
  /** The people staffed on the DE, FR and NL projects. */
  people: { de: string; fr: string; nl: string };
}

/**
 * With `ownIds` (as `npm start` does), a scope whose customer, NL legal entity, NL rate cards and
 * people carry the run number; without, the plain ids (`CUST-ACME`, `LE-NL`, `P-ANNA`, …), which
 * suit only fresh databases (the end-to-end tests).
 */
export function demoScope(options: { ownIds: boolean }): DemoScope {
  const run = randomInt(100_000, 999_999);
  const own = (id: string) => (options.ownIds ? `${id}-${run}` : id);
  return {
    run,
    customerId: own('CUST-ACME'),
    nlLegalEntityId: own('LE-NL'),
    nlRateCardId: options.ownIds ? `RC-NL-${run}` : 'RC-NL-2026',
    nlRaisedRateCardId: options.ownIds ? `RC-NL-${run}-RAISE` : 'RC-NL-2026-RAISE',
    people: { de: own('P-ANNA'), fr: own('P-LUC'), nl: own('P-SEM') },
  };
}
