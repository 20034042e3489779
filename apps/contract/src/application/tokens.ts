export const CONTRACT_DB = Symbol('CONTRACT_DB');
export const SETUP_CONFIG = Symbol('SETUP_CONFIG');

export interface SetupConfig {
  /** How long after contract approval project setup may take before it is OVERDUE. */
  deadlineMs: number;
  /** How often the deadline is checked. */
  deadlineCheckMs: number;
}

/** Events this service emits carry this source. */
export const SOURCE = 'contract';
