import {
  BeforeApplicationShutdown,
  ConflictException,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';

import { ConsumedEvent, MessagingRuntime } from '@throughline/messaging';
import { LOGGER, Logger } from '@throughline/messaging-nest';
import { describeError, NotFoundError } from '@throughline/platform';

import { checkHistory, RebuildRefusal } from '../domain/history-check';
import {
  inboxKeyOf,
  Projection,
  ProjectionState,
  rebuildGroupOf,
  rebuildProgress,
  RebuildProgress,
  RebuildStart,
  rebuildStartOf,
  schemaOf,
} from '../domain/projection';
import { CURRENT_STATE_SOURCES, ReplayedEventType, replayedEventTypes } from '../domain/rebuild-sources';
import { ReportedEventType } from '../domain/timeline-entry';
import { LogReplay, replayLag, replayStartOffsets } from '../infrastructure/log-replay';
import { ProjectionStore } from '../infrastructure/projection-store';
import { BATCHED_EVENT_TYPES } from './figure-batches';
import { PROJECTION_STORE, TimelineRecorder } from './timeline-recorder';

/** How often a running rebuild checks its lag (and logs its progress). */
export const REBUILD_POLL_MS = Symbol('REBUILD_POLL_MS');

export interface ProjectionView {
  version: number;
  schema: string;
  state: ProjectionState;
  /** "beginning" or the ISO time the rebuild started reading the log at. */
  from: string;
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
  droppedAt: string | null;
  /** Events recorded (its inbox rows); null once its tables are dropped. */
  eventCount: number | null;
  /** While BUILDING: the replay group and how far it is behind the end of the log. */
  rebuild: (RebuildProgress & { consumerGroup: string }) | null;
  /** When REFUSED: what the log no longer holds (topic, partition, lost offsets). */
  refusal: RebuildRefusal | null;
}

interface RunningRebuild {
  replay: LogReplay;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

/**
 * Rebuilds the read model into a fresh projection while the active one keeps serving.
 *
 * A rebuild registers a BUILDING projection (its own schema and inbox), from which moment the live
 * consumer writes every event to it as well as to the active one. A temporary consumer group then
 * replays the log from the beginning (or a timestamp) into it with the same recorder. When that
 * group's lag is 0 on every partition, every event in the log has been recorded there and every
 * later one is written by the live consumer, so the switch (one registry transaction) loses nothing;
 * the shared inbox means an event both consumers see is recorded once.
 *
 * Before a rebuild from the beginning switches, it checks that the log still held everything the
 * active projection was built from (`checkHistory`); if not, it is REFUSED, says which topics,
 * partitions and offsets are gone, and the active projection stays in place.
 */
@Injectable()
export class ProjectionRebuilds implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<number, RunningRebuild>();

  constructor(
    @Inject(PROJECTION_STORE) private readonly projections: ProjectionStore,
    private readonly recorder: TimelineRecorder,
    private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(REBUILD_POLL_MS) private readonly pollMs: number,
  ) {}

  /** Brings the schemas in use up to date, and resumes a rebuild an earlier process left running. */
  async onApplicationBootstrap(): Promise<void> {
    const applied = await this.projections.migrateInUse();
    if (applied.length > 0) this.logger.info({ applied }, 'projections migrated');
    for (const projection of await this.projections.inUse()) {
      if (projection.state === 'BUILDING') {
        this.logger.info({ version: projection.version }, 'resuming projection rebuild');
        await this.run(projection);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running.keys()].map((version) => this.halt(version)));
  }

  async start(start: RebuildStart): Promise<ProjectionView> {
    const projection = await this.projections.create(start);
    if (!projection) {
      throw new ConflictException('A projection rebuild is already running; wait for it to finish');
    }
    this.logger.info(
      { version: projection.version, from: describeStart(start) },
      'projection rebuild started',
    );
    await this.run(projection);
    return this.view(projection);
  }

  async list(): Promise<{ projections: ProjectionView[] }> {
    const projections = await this.projections.list();
    return { projections: await Promise.all(projections.map((projection) => this.view(projection))) };
  }

  /** Drops the tables of a retired or refused projection (kept until then, e.g. to compare). */
  async drop(version: number): Promise<ProjectionView> {
    if (!(await this.projections.get(version))) throw new NotFoundError(`Unknown projection ${version}`);
    if (!(await this.projections.drop(version, inboxKeyOf(this.runtime.groupId, version)))) {
      throw new ConflictException(
        `Projection ${version} is not retired or refused (or already dropped): only those can be dropped`,
      );
    }
    this.logger.info({ version }, 'projection dropped');
    return this.view((await this.projections.get(version)) as Projection);
  }

  private async run(projection: Projection): Promise<void> {
    const { version } = projection;
    const eventTypes = replayedEventTypes(projection.fromCurrentState);
    const replay = new LogReplay(
      this.runtime,
      rebuildGroupOf(this.runtime.groupId, version),
      eventTypes,
      this.logger,
    );
    const start = rebuildStartOf(projection);
    await this.projections.recordSources(
      version,
      await replayStartOffsets(this.runtime, eventTypes, projection.fromTimestamp),
    );
    if (start.from === 'timestamp') await replay.startAt(start.at);
    await replay.start(
      async (event) => {
        await this.recorder.recordInto(version, event as ConsumedEvent<ReportedEventType>);
      },
      BATCHED_EVENT_TYPES,
      async (events) => {
        await this.recorder.recordBatchInto(version, events as ConsumedEvent<ReplayedEventType>[]);
      },
    );
    const rebuild: RunningRebuild = { replay, timer: undefined, stopped: false };
    this.running.set(version, rebuild);
    this.schedule(version, rebuild);
  }

  private schedule(version: number, rebuild: RunningRebuild): void {
    if (rebuild.stopped) return;
    rebuild.timer = setTimeout(() => void this.check(version, rebuild), this.pollMs);
  }

  /** One progress check: switch once caught up; stop if another instance switched first. */
  private async check(version: number, rebuild: RunningRebuild): Promise<void> {
    try {
      const projection = await this.projections.get(version);
      if (projection?.state !== 'BUILDING') {
        this.logger.info(
          { version, state: projection?.state },
          'projection no longer building; replay stopped',
        );
        await this.halt(version, true);
        return;
      }
      const progress = rebuildProgress(await rebuild.replay.lag());
      const recorded = await this.projections.eventCount(inboxKeyOf(this.runtime.groupId, version));
      this.logger.info({ version, ...progress, recorded }, 'projection rebuild progress');
      if (progress.caughtUp) {
        const previous = await this.projections.active();
        const refusal =
          projection.fromTimestamp === null ? await this.checkHistory(previous, projection) : null;
        if (refusal) {
          if (await this.projections.refuse(version, refusal)) {
            this.logger.error(
              { version, active: previous.version, missing: refusal.missing },
              `projection rebuild refused: ${refusal.reason}`,
            );
          }
          await this.halt(version, true);
          return;
        }
        if (await this.projections.activate(version)) {
          this.logger.info(
            { version, retired: previous.version, recorded },
            'projection rebuilt and activated',
          );
        }
        await this.halt(version, true);
        return;
      }
    } catch (error) {
      this.logger.warn(
        { version, error: describeError(error) },
        'projection rebuild check failed; will retry',
      );
    }
    this.schedule(version, rebuild);
  }

  /** What the rebuilt projection lacks of the active one's history; null when nothing. */
  private async checkHistory(active: Projection, rebuilt: Projection): Promise<RebuildRefusal | null> {
    const { groupId, naming } = this.runtime;
    const missing = await this.projections.missingEvents(
      inboxKeyOf(groupId, active.version),
      inboxKeyOf(groupId, rebuilt.version),
      rebuilt.createdAt,
    );
    const replaced: string[] = rebuilt.fromCurrentState ? Object.keys(CURRENT_STATE_SOURCES) : [];
    // From current state, the events an entity's state replaces are not replayed; its state must be there.
    const missingStates = rebuilt.fromCurrentState
      ? [
          {
            eventType: 'ActualState',
            events: await this.projections.missingActuals(active.version, rebuilt.version),
          },
        ]
      : [];
    return checkHistory({
      missingEvents: [...missing.filter((m) => !replaced.includes(m.eventType)), ...missingStates].map(
        (m) => ({
          ...m,
          topic: naming.topicFor(m.eventType as ReplayedEventType),
        }),
      ),
      activeFirst: await this.projections.sources(active.version),
      rebuiltFirst: await this.projections.sources(rebuilt.version),
    });
  }

  private async halt(version: number, forget = false): Promise<void> {
    const rebuild = this.running.get(version);
    if (!rebuild) return;
    this.running.delete(version);
    rebuild.stopped = true;
    clearTimeout(rebuild.timer);
    await rebuild.replay.stop();
    if (forget) await rebuild.replay.forget();
  }

  private async view(projection: Projection): Promise<ProjectionView> {
    const building = projection.state === 'BUILDING';
    const consumerGroup = rebuildGroupOf(this.runtime.groupId, projection.version);
    return {
      version: projection.version,
      schema: schemaOf(projection.version),
      state: projection.state,
      from: describeStart(rebuildStartOf(projection)),
      createdAt: new Date(projection.createdAt).toISOString(),
      activatedAt: isoOrNull(projection.activatedAt),
      retiredAt: isoOrNull(projection.retiredAt),
      droppedAt: isoOrNull(projection.droppedAt),
      eventCount:
        projection.droppedAt === null
          ? await this.projections.eventCount(inboxKeyOf(this.runtime.groupId, projection.version))
          : null,
      rebuild: building
        ? {
            consumerGroup,
            ...rebuildProgress(
              await replayLag(this.runtime, consumerGroup, replayedEventTypes(projection.fromCurrentState)),
            ),
          }
        : null,
      refusal: projection.state === 'REFUSED' ? await this.projections.refusal(projection.version) : null,
    };
  }
}

function describeStart(start: RebuildStart): string {
  return start.from === 'timestamp' ? new Date(start.at).toISOString() : start.from;
}

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
