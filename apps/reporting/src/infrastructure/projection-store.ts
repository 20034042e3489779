import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pool } from 'pg';

import { SqlExecutor, withPgTransaction } from '@throughline/persistence';

import { MissingEvents, RebuildRefusal, SourceOffset } from '../domain/history-check';
import { droppable, Projection, RebuildStart, schemaOf } from '../domain/projection';
import { createReportingDb, ReportingDb } from './reporting-db';
import { toProjection } from './rows';

/** Serialises creating, migrating, switching and dropping projections across instances. */
const REGISTRY_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('reporting.projections', 0))`;

/**
 * The projection registry (`public.projection`) and one Prisma client per projection schema.
 * Projection tables are created from `migrations/projection/*.sql` with search_path set to the
 * projection's schema, in the same transaction that registers the projection, so no reader or
 * writer can see a projection whose tables do not exist yet.
 */
export class ProjectionStore {
  private readonly clients = new Map<number, ReportingDb>();
  /** DDL needs multi-statement scripts, which Prisma's prepared statements cannot run. */
  private readonly pool: Pool;

  constructor(
    private readonly registry: ReportingDb,
    private readonly databaseUrl: string,
    private readonly migrationsDirectory: string,
  ) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 2 });
    // An idle connection dropped by the server (restart, failover, a dropped test database) must not
    // crash the process: the next query reconnects or fails with its own error.
    this.pool.on('error', () => undefined);
  }

  async list(): Promise<Projection[]> {
    const rows = await this.registry.projection.findMany({ orderBy: { version: 'asc' } });
    return rows.map(toProjection);
  }

  async get(version: number): Promise<Projection | null> {
    const row = await this.registry.projection.findUnique({ where: { version } });
    return row && toProjection(row);
  }

  async active(): Promise<Projection> {
    const row = await this.registry.projection.findFirst({ where: { state: 'ACTIVE' } });
    if (!row) throw new Error('No active reporting projection: the projection registry is empty');
    return toProjection(row);
  }

  /** Read fresh for every event, so a projection created or activated by any instance is seen at once. */
  async inUse(): Promise<Projection[]> {
    const rows = await this.registry.projection.findMany({
      where: { state: { in: ['ACTIVE', 'BUILDING'] } },
      orderBy: { version: 'asc' },
    });
    return rows.map(toProjection);
  }

  /** The client for a projection's tables (kept for the process lifetime, closed by `$disconnect`). */
  db(version: number): ReportingDb {
    let client = this.clients.get(version);
    if (!client) {
      client = createReportingDb(this.databaseUrl, schemaOf(version));
      this.clients.set(version, client);
    }
    return client;
  }

  /**
   * Registers a BUILDING projection with its tables, unless one is building already (then null).
   */
  async create(start: RebuildStart): Promise<Projection | null> {
    const version = await withPgTransaction(this.pool, async (sql) => {
      await sql.query(REGISTRY_LOCK);
      const [building] = await sql.query(`SELECT version FROM public.projection WHERE state = 'BUILDING'`);
      if (building) return null;
      const [{ next }] = await sql.query<{ next: number }>(
        'SELECT coalesce(max(version), 0) + 1 AS next FROM public.projection',
      );
      await sql.query(
        `INSERT INTO public.projection (version, state, from_timestamp, from_current_state)
         VALUES ($1, 'BUILDING', $2, $3)`,
        [next, start.from === 'timestamp' ? new Date(start.at) : null, start.from === 'current-state'],
      );
      await sql.query(`CREATE SCHEMA ${schemaOf(next)}`);
      await this.applyPending(sql, next);
      return next;
    });
    return version === null ? null : this.get(version);
  }

  /** Applies projection migrations a projection in use lacks (new files since it was created). */
  async migrateInUse(): Promise<string[]> {
    const applied: string[] = [];
    for (const projection of await this.inUse()) {
      applied.push(
        ...(await withPgTransaction(this.pool, async (sql) => {
          await sql.query(REGISTRY_LOCK);
          return this.applyPending(sql, projection.version);
        })),
      );
    }
    return applied;
  }

  /**
   * Makes a caught-up BUILDING projection the active one and retires the previous one, atomically.
   * False if it is no longer building (another instance switched it first).
   */
  async activate(version: number): Promise<boolean> {
    return this.registry.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(REGISTRY_LOCK);
      const target = await tx.projection.findUnique({ where: { version } });
      if (target?.state !== 'BUILDING') return false;
      const now = new Date();
      await tx.projection.updateMany({
        where: { state: 'ACTIVE' },
        data: { state: 'RETIRED', retiredAt: now },
      });
      await tx.projection.update({ where: { version }, data: { state: 'ACTIVE', activatedAt: now } });
      return true;
    });
  }

  /** Marks a BUILDING projection REFUSED with the reason; false if it is no longer building. */
  async refuse(version: number, refusal: RebuildRefusal): Promise<boolean> {
    return withPgTransaction(this.pool, async (sql) => {
      await sql.query(REGISTRY_LOCK);
      const updated = await sql.query<{ version: number }>(
        `UPDATE public.projection SET state = 'REFUSED', refusal = $2
         WHERE version = $1 AND state = 'BUILDING' RETURNING version`,
        [version, JSON.stringify(refusal)],
      );
      return updated.length > 0;
    });
  }

  async refusal(version: number): Promise<RebuildRefusal | null> {
    const rows = await this.registry.$queryRaw<{ refusal: RebuildRefusal | null }[]>`
      SELECT refusal FROM public.projection WHERE version = ${version}`;
    return rows[0]?.refusal ?? null;
  }

  /** Records where a projection starts reading each partition; a resumed rebuild keeps the first record. */
  async recordSources(version: number, offsets: readonly SourceOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.pool.query(
      `INSERT INTO public.projection_source (version, topic, partition, first_offset)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
       ON CONFLICT DO NOTHING`,
      [
        version,
        offsets.map((o) => o.topic),
        offsets.map((o) => o.partition),
        offsets.map((o) => String(o.offset)),
      ],
    );
  }

  async sources(version: number): Promise<SourceOffset[]> {
    const rows = await this.registry.$queryRaw<{ topic: string; partition: number; offset: string }[]>`
      SELECT topic, partition, first_offset::text AS offset
      FROM public.projection_source WHERE version = ${version}`;
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, offset: Number(row.offset) }));
  }

  /**
   * Per event type, the events `activeKey`'s projection recorded before `before` (when the rebuild
   * began, so they were in the log then) that `rebuiltKey`'s projection does not hold.
   */
  async missingEvents(
    activeKey: string,
    rebuiltKey: string,
    before: number,
  ): Promise<Omit<MissingEvents, 'topic'>[]> {
    return this.registry.$queryRaw<Omit<MissingEvents, 'topic'>[]>`
      SELECT a.event_type AS "eventType", count(*)::int AS events
      FROM public.messaging_inbox a
      WHERE a.consumer_group = ${activeKey} AND a.processed_at < ${new Date(before)}
        AND NOT EXISTS (
          SELECT 1 FROM public.messaging_inbox b
          WHERE b.consumer_group = ${rebuiltKey} AND b.event_id = a.event_id)
      GROUP BY a.event_type`;
  }

  /** Actuals `activeVersion`'s projection holds that `rebuiltVersion`'s lacks (a rebuild from current state). */
  async missingActuals(activeVersion: number, rebuiltVersion: number): Promise<number> {
    const rows = await this.registry.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${schemaOf(activeVersion)}.actual a
       WHERE NOT EXISTS (SELECT 1 FROM ${schemaOf(rebuiltVersion)}.actual b WHERE b.actual_id = a.actual_id)`,
    );
    return rows[0]?.n ?? 0;
  }

  /** Drops a retired or refused projection's tables and inbox; false if it is neither, or dropped. */
  async drop(version: number, inboxKey: string): Promise<boolean> {
    const dropped = await withPgTransaction(this.pool, async (sql) => {
      await sql.query(REGISTRY_LOCK);
      const [row] = await sql.query<{ state: Projection['state']; dropped_at: Date | null }>(
        'SELECT state, dropped_at FROM public.projection WHERE version = $1',
        [version],
      );
      if (!row || !droppable({ state: row.state, droppedAt: row.dropped_at?.getTime() ?? null }))
        return false;
      await sql.query(`DROP SCHEMA ${schemaOf(version)} CASCADE`);
      await sql.query('DELETE FROM public.messaging_inbox WHERE consumer_group = $1', [inboxKey]);
      await sql.query('UPDATE public.projection SET dropped_at = now() WHERE version = $1', [version]);
      return true;
    });
    if (dropped) {
      await this.clients.get(version)?.$disconnect();
      this.clients.delete(version);
    }
    return dropped;
  }

  /**
   * Events recorded in a projection: its inbox rows (every consumed event has one; only setup events
   * also have a timeline entry).
   */
  async eventCount(inboxKey: string): Promise<number> {
    const rows = await this.registry.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM public.messaging_inbox WHERE consumer_group = ${inboxKey}`;
    return rows[0].n;
  }

  async $disconnect(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.$disconnect()));
    this.clients.clear();
    await this.pool.end();
  }

  /** Runs the projection migration files the projection has not applied, inside `sql`'s transaction. */
  private async applyPending(sql: SqlExecutor, version: number): Promise<string[]> {
    const done = new Set(
      (
        await sql.query<{ name: string }>('SELECT name FROM public.projection_migration WHERE version = $1', [
          version,
        ])
      ).map((row) => row.name),
    );
    const files = (await readdir(this.migrationsDirectory)).filter((file) => file.endsWith('.sql')).sort();
    const applied: string[] = [];
    for (const file of files.filter((candidate) => !done.has(candidate))) {
      await sql.query(`SET LOCAL search_path TO ${schemaOf(version)}`);
      await sql.query(await readFile(join(this.migrationsDirectory, file), 'utf8'));
      await sql.query('RESET search_path');
      await sql.query('INSERT INTO public.projection_migration (version, name) VALUES ($1, $2)', [
        version,
        file,
      ]);
      applied.push(`${schemaOf(version)}/${file}`);
    }
    return applied;
  }
}
