import { Inject, Injectable } from '@nestjs/common';

import { CLOCK_STATUSES, ClockStatus, SlaClock } from '../domain/clock';
import { RoiFigures as ClockRoiFigures, roiFigures } from '../domain/roi';
import {
  BillingLeakage,
  billingLeakage,
  BusinessExceptionFigures,
  businessExceptionFigures,
  invoiceDeadline,
} from '../domain/roi-history';
import { DEFAULT_SLAS, resolveSlaConfig, SlaDefinition } from '../domain/sla-definition';
import { countClocks, findClocks } from '../infrastructure/clock.repository';
import { findExceptions, findUninvoicedActuals } from '../infrastructure/history.repository';
import { SlaDb } from '../infrastructure/sla-db';
import { SLA_DB, SLA_SETTINGS, SlaSettings } from './tokens';

export interface RoiFigures extends ClockRoiFigures {
  /** Billable actuals not invoiced after their period's INVOICE_AFTER_CLOSE deadline. */
  billingLeakage: BillingLeakage;
  businessExceptions: BusinessExceptionFigures;
}

/** The SLA whose allowance after a period's end decides when its actuals count as leaked. */
const INVOICE_SLA = 'INVOICE_AFTER_CLOSE';

export type BreachFilter = 'open' | 'recovered' | 'all';

export interface SlaView extends SlaDefinition {
  /** Clocks per status; `open` = running within the threshold, `breached` = past it and not closed. */
  clocks: { open: number; breached: number; met: number; recovered: number; awaitingStart: number };
}

export interface BreachView {
  breachId: string;
  sla: string;
  status: 'OPEN' | 'RECOVERED';
  ownerRole: string;
  entityType: string;
  entityId: string;
  dealId: string | null;
  startedAt: string;
  breachedAt: string | null;
  recoveredAt: string | null;
  thresholdMs: number;
  /** Open: how long it has waited so far; recovered: how long the step took. */
  ageMs: number;
  moneyAtRiskMinor: number | null;
  currency: string | null;
}

const BREACH_STATUSES: Record<BreachFilter, ClockStatus[]> = {
  open: ['BREACHED'],
  recovered: ['RECOVERED'],
  all: ['BREACHED', 'RECOVERED'],
};

/** Read side: the configured SLAs with their clock counts, the breaches, and ROI figures. */
@Injectable()
export class SlaQueryService {
  constructor(
    @Inject(SLA_DB) private readonly db: SlaDb,
    @Inject(SLA_SETTINGS) private readonly settings: SlaSettings,
  ) {}

  async slas(): Promise<SlaView[]> {
    const counts = await countClocks(this.db);
    const count = (sla: string, status: ClockStatus) =>
      counts.find((row) => row.sla === sla && row.status === status)?.count ?? 0;
    return this.settings.slas.map((sla) => ({
      ...sla,
      clocks: {
        open: count(sla.name, 'RUNNING'),
        breached: count(sla.name, 'BREACHED'),
        met: count(sla.name, 'MET'),
        recovered: count(sla.name, 'RECOVERED'),
        awaitingStart: count(sla.name, 'AWAITING_START'),
      },
    }));
  }

  async breaches(filter: BreachFilter, limit: number, now = Date.now()): Promise<BreachView[]> {
    const clocks = await findClocks(this.db, BREACH_STATUSES[filter], limit);
    return clocks.map((clock) => breachView(clock, now));
  }

  /**
   * Figures over all clocks and the kept event history; loads the closed and breached clocks, the
   * uninvoiced actuals and the exceptions (fine at a firm's volume).
   */
  async roi(now = Date.now()): Promise<RoiFigures> {
    const statuses = CLOCK_STATUSES.filter((status) => status !== 'RUNNING' && status !== 'AWAITING_START');
    const [clocks, actuals, exceptions] = await Promise.all([
      findClocks(this.db, statuses),
      findUninvoicedActuals(this.db),
      findExceptions(this.db),
    ]);
    const invoiceSla = this.invoiceSla();
    return {
      ...roiFigures(
        clocks,
        this.settings.slas.map((sla) => sla.name),
      ),
      billingLeakage: billingLeakage(actuals, now, (period) => invoiceDeadline(period, invoiceSla)),
      businessExceptions: businessExceptionFigures(exceptions),
    };
  }

  /** The configured invoice SLA, enabled or not (a firm may switch its clocks off), else the built-in. */
  private invoiceSla(): SlaDefinition {
    const configured = this.settings.slas.find((sla) => sla.name === INVOICE_SLA);
    if (configured) return configured;
    const builtIn = resolveSlaConfig(undefined, DEFAULT_SLAS).find((sla) => sla.name === INVOICE_SLA);
    if (!builtIn) throw new Error(`built-in SLA ${INVOICE_SLA} is missing`);
    return builtIn;
  }
}

function breachView(clock: SlaClock, now: number): BreachView {
  const startedAt = clock.startedAt ?? 0;
  return {
    breachId: clock.breachId,
    sla: clock.sla,
    status: clock.status === 'RECOVERED' ? 'RECOVERED' : 'OPEN',
    ownerRole: clock.ownerRole,
    entityType: clock.entityType,
    entityId: clock.entityId,
    dealId: clock.dealId,
    startedAt: new Date(startedAt).toISOString(),
    breachedAt: iso(clock.breachedAt),
    recoveredAt: clock.status === 'RECOVERED' ? iso(clock.endedAt) : null,
    thresholdMs: clock.thresholdMs,
    ageMs: Math.max(0, (clock.status === 'RECOVERED' ? (clock.endedAt ?? now) : now) - startedAt),
    moneyAtRiskMinor: clock.moneyAtRiskMinor,
    currency: clock.currency,
  };
}

function iso(value: number | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
