import { SlaDefinition } from '../domain/sla-definition';

export const SLA_DB = Symbol('SLA_DB');
export const SLA_SETTINGS = Symbol('SLA_SETTINGS');

export interface SlaSettings {
  /** Every configured SLA, enabled or not. */
  slas: readonly SlaDefinition[];
  /** How often running clocks are checked against their thresholds. */
  checkIntervalMs: number;
}

/** Events this service emits carry this source. */
export const SOURCE = 'sla';
