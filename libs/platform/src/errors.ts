/**
 * The error hierarchy every service uses. Retry decisions read `retriable`; business-rule failures
 * are routed to an owner (never to a dead-letter topic).
 */
export interface ErrorOptions {
  cause?: unknown;
  context?: Record<string, unknown>;
}

export abstract class ThroughlineError extends Error {
  abstract readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** Infrastructure hiccups: database, network, timeouts, registry unavailable. Worth retrying. */
export class TransientError extends ThroughlineError {
  readonly retriable = true;
}

/** A message that can never be processed as it is (undecodable, unknown schema, invalid shape). */
export class PoisonMessageError extends ThroughlineError {
  readonly retriable = false;
}

/** Bad input from a caller (HTTP 4xx). */
export class ValidationError extends ThroughlineError {
  readonly retriable = false;
}

/** A referenced entity does not exist (HTTP 404). */
export class NotFoundError extends ThroughlineError {
  readonly retriable = false;
}

/** Configuration that makes the process unable to start. */
export class ConfigurationError extends ThroughlineError {
  readonly retriable = false;
}

export type OwnerRole =
  'FINANCE_OPERATIONS' | 'SALES_OPERATIONS' | 'RESOURCE_MANAGEMENT' | 'DELIVERY' | 'MASTER_DATA';

/** A business rule is not met: a person (the owner role) must act; retrying alone will not help. */
export class BusinessRuleViolation extends ThroughlineError {
  readonly retriable = false;

  constructor(
    readonly code: string,
    message: string,
    readonly ownerRole: OwnerRole,
    readonly remediation: string,
    options: ErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * Errors that are programming bugs, not conditions that pass: retrying cannot help, so they go to
 * the dead-letter topic (to be replayed after a fix). A TypeError with a cause is how fetch reports
 * network failures, so only cause-less ones count as bugs.
 */
const BUG_ERROR_NAMES = new Set([
  'ReferenceError',
  'SyntaxError',
  'RangeError',
  'PrismaClientValidationError',
]);

function isBug(error: Error): boolean {
  return BUG_ERROR_NAMES.has(error.name) || (error instanceof TypeError && error.cause === undefined);
}

/** Other unknown errors (plain `Error`, driver errors) are treated as retriable: safer than dropping work. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof ThroughlineError) return error.retriable;
  return !(error instanceof Error && isBug(error));
}

export function describeError(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'NonError', message: String(error) };
}
