import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { DEFAULT_LIMITS, DEFAULT_LINKS, resolveOptions, schedule, type ScheduleResult, type SchedulerOptions, type StartDecision } from "@ferry/scheduler";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError } from "../common/errors";
import { Periodic } from "../common/periodic";
import { PrismaService, type Tx } from "../database/prisma.service";
import { Prisma, type Migration } from "../generated/prisma/client";
import { MigrationQueue } from "../migrations/migration-queue";
import { ACTIVE_MIGRATION_STATES } from "../nodes/capacity";
import type { UpdateScheduler } from "./dto/scheduler.dto";
import { scheduleInput } from "./scheduler-input";

/** A share that moved by less than this fraction is not rewritten (nor sent to the agent). */
const RESHARE_MIN = 0.01;

interface Settings {
  limits: SchedulerOptions["limits"];
  links: SchedulerOptions["links"];
}

/**
 * The controller decides when each admitted migration starts (not the agents' worker concurrency): every pass
 * hands the cluster to @ferry/scheduler, which applies the limits (per cluster, out and in per node, bandwidth
 * per host, rack and pod uplink), the order (evacuations and drains first, aging so nothing starves) and the
 * capacity of every intermediate state. A started migration goes requested -> queued with the share it gets
 * and its prediction at that share, then to its source agent's queue; one that waits keeps the reason. Every
 * pass also re-shares the links among the migrations in flight (see reshare). Passes are serialised across
 * replicas by an advisory lock.
 *
 * Hops: when the library breaks a capacity cycle (two full hosts swapping VMs) by sending a VM through a third
 * node, the pass records that first leg as a migration of its own (`hopForId` names the migration it serves),
 * queued like any start. The migration itself stays requested and is not scheduled while its leg is active;
 * when the leg completes, the migration goes on from the hop node (migration-ending.ts, agent-reports.service.ts).
 */
@Injectable()
export class MigrationScheduler implements OnModuleInit {
  private readonly logger = new Logger(MigrationScheduler.name);
  private passes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaService,
    private readonly queue: MigrationQueue,
    private readonly audit: AuditService,
    private readonly periodic: Periodic,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.periodic.every("migration-scheduler", this.config.reconcileIntervalMs, () => this.pass());
  }

  /** Start what may start now. Safe to call from anywhere: passes never overlap. */
  pass(): Promise<ScheduleResult | null> {
    const run = this.passes.then(() => this.run());
    this.passes = run.catch(() => undefined);
    return run;
  }

  private async run(): Promise<ScheduleResult | null> {
    const started: Migration[] = [];
    const result = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('ferry:scheduler'))`;
      const waiting = await tx.migration.findMany({
        where: { state: "requested", hops: { none: { state: { in: [...ACTIVE_MIGRATION_STATES] } } } },
        include: { vm: true },
        orderBy: { requestedAt: "asc" },
      });
      const inFlight = await tx.migration.findMany({ where: { state: { in: ["queued", "running"] } }, include: { vm: true } });
      if (!waiting.length && !inFlight.length) return null;
      const decided = await this.decide(tx, waiting, inFlight);
      await this.reshare(tx, inFlight, decided);
      const byId = new Map(waiting.map((m) => [m.id, m]));
      const now = this.clock.now();
      for (const start of decided.starts) {
        const m = byId.get(start.moveId)!;
        const atShare = { shareMbps: start.shareMbps, bottleneck: start.bottleneck, ...start.prediction };
        if (start.hop) {
          const leg = await this.startHop(tx, m, start, atShare, now);
          if (leg) started.push(leg);
          continue;
        }
        const moved = await tx.migration.updateMany({
          where: { id: start.moveId, state: "requested" },
          data: {
            state: "queued",
            queuedAt: now,
            bandwidthShareMbps: start.shareMbps,
            waitReason: null,
            prediction: { ...((m.prediction as object) ?? {}), atShare } as Prisma.InputJsonValue,
          },
        });
        if (moved.count) started.push(m);
      }
      const waits = decided.blocked.map((b) => ({ id: b.moveId, why: `${b.reason}: ${b.detail}` }));
      for (const w of waits) {
        await tx.migration.updateMany({ where: { id: w.id, state: "requested", OR: [{ waitReason: null }, { NOT: { waitReason: w.why } }] }, data: { waitReason: w.why } });
      }
      return decided;
    });
    for (const m of started) {
      // Recorded as queued first: should this fail, the reconciler finds the queued migration without a job and enqueues it.
      await this.queue.enqueue(m.sourceNodeId, m.id).catch((e: unknown) => this.logger.warn(`could not enqueue migration ${m.id} yet: ${e}`));
    }
    return result;
  }

  /**
   * The first leg of a cycle-breaking hop: a migration of the same VM to the hop node, queued at once with its
   * share. It reserves the hop node like any migration; the migration it serves keeps its reservation on its
   * own target, so the cycle's other moves cannot take that room meanwhile. Null when the migration was
   * cancelled since this pass read it.
   */
  private async startHop(tx: Tx, m: Migration, start: StartDecision, atShare: object, now: Date): Promise<Migration | null> {
    const still = await tx.migration.updateMany({
      where: { id: m.id, state: "requested", cancelRequestedAt: null },
      data: { waitReason: `hop: its VM goes first to node ${start.to}, ${start.hop!.reason}` },
    });
    if (!still.count) return null;
    const leg = await tx.migration.create({
      data: {
        vmId: m.vmId,
        sourceNodeId: m.sourceNodeId,
        targetNodeId: start.to,
        technique: m.technique,
        techniqueOptions: m.techniqueOptions as Prisma.InputJsonValue,
        prediction: { atShare } as Prisma.InputJsonValue,
        reason: `first leg of migration ${m.id}: ${start.hop!.reason}`,
        moveClass: m.moveClass,
        requestedBy: "system:scheduler",
        cpu: m.cpu,
        memMiB: m.memMiB,
        requestedAt: now,
        state: "queued",
        queuedAt: now,
        bandwidthShareMbps: start.shareMbps,
        bandwidthCapMbps: m.bandwidthCapMbps,
        hopForId: m.id,
      },
    });
    await this.audit.record(tx, { actor: "system:scheduler", action: "migration.hop-started", targetType: "migration", targetId: m.id, details: { leg: leg.id, via: start.to, reason: start.hop!.reason } });
    return leg;
  }

  /**
   * Migrations in flight take the share this pass gives them: the scheduler re-shares the links every pass, so
   * a migration speeds up when another on its path ends and slows down (never below what it needs to
   * converge, see the ledger) when one starts beside it. Its source agent hears the new share in the answer to
   * its next progress report and sets its rate to it. Rewritten only when it moved by more than RESHARE_MIN.
   */
  private async reshare(tx: Tx, inFlight: readonly Migration[], decided: ScheduleResult): Promise<void> {
    const before = new Map(inFlight.map((m) => [m.id, m.bandwidthShareMbps]));
    for (const r of decided.running) {
      const was = before.get(r.id);
      if (!Number.isFinite(r.shareMbps) || (was != null && Number.isFinite(was) && Math.abs(r.shareMbps - was) <= RESHARE_MIN * was)) continue;
      await tx.migration.updateMany({ where: { id: r.id, state: { in: ["queued", "running"] } }, data: { bandwidthShareMbps: r.shareMbps } });
      this.logger.debug(`migration ${r.id}: share ${was ?? "none"} -> ${Math.round(r.shareMbps)} Mbit/s (bottleneck ${r.bottleneck})`);
    }
  }

  private async decide(tx: Tx, waiting: Parameters<typeof scheduleInput>[4], inFlight: Parameters<typeof scheduleInput>[3]): Promise<ScheduleResult> {
    const [nodes, resident, settings] = await Promise.all([
      tx.node.findMany(),
      tx.vm.groupBy({ by: ["nodeId"], where: { nodeId: { not: null } }, _sum: { cpu: true, memMiB: true } }),
      this.settings(tx),
    ]);
    const used = new Map(resident.map((r) => [r.nodeId!, { cpu: r._sum.cpu ?? 0, memMiB: r._sum.memMiB ?? 0 }]));
    return schedule(scheduleInput(this.clock.now().getTime(), nodes, used, inFlight, waiting, { ...settings, rttMs: this.config.migrationLink.rttMs }));
  }

  private async settings(tx: Tx | PrismaService): Promise<Settings> {
    const row = await tx.schedulerSettings.findUnique({ where: { id: 1 } });
    return { limits: (row?.limits ?? {}) as Settings["limits"], links: (row?.links ?? {}) as Settings["links"] };
  }

  /** The limits in force, what is in flight with its share and ETA, and why each waiting migration waits. */
  async status() {
    const settings = await this.settings(this.prisma);
    const resolved = resolveOptions(settings);
    const [inFlight, waiting] = await Promise.all([
      this.prisma.migration.findMany({ where: { state: { in: ["queued", "running"] } }, orderBy: { queuedAt: "asc" } }),
      this.prisma.migration.findMany({ where: { state: "requested" }, orderBy: { requestedAt: "asc" } }),
    ]);
    return {
      limits: resolved.limits,
      links: resolved.links,
      defaults: { limits: DEFAULT_LIMITS, links: DEFAULT_LINKS },
      inFlight: inFlight.map((m) => ({ migrationId: m.id, vmId: m.vmId, from: m.sourceNodeId, to: m.targetNodeId, moveClass: m.moveClass, state: m.state, progress: m.progress, shareMbps: m.bandwidthShareMbps })),
      waiting: waiting.map((m) => ({ migrationId: m.id, vmId: m.vmId, from: m.sourceNodeId, to: m.targetNodeId, moveClass: m.moveClass, since: m.requestedAt.toISOString(), reason: m.waitReason })),
    };
  }

  async update(patch: UpdateScheduler, actor: string) {
    await this.prisma.$transaction(async (tx) => {
      const before = await this.settings(tx);
      const after = { limits: { ...before.limits, ...patch.limits }, links: { ...before.links, ...patch.links } };
      try {
        resolveOptions(after);
      } catch (e) {
        if (e instanceof RangeError) throw new FerryError("ValidationFailed", e.message, [{ field: "(body)", reason: e.message }]);
        throw e;
      }
      await tx.schedulerSettings.upsert({
        where: { id: 1 },
        create: { id: 1, limits: after.limits as Prisma.InputJsonValue, links: after.links as Prisma.InputJsonValue, updatedBy: actor },
        update: { limits: after.limits as Prisma.InputJsonValue, links: after.links as Prisma.InputJsonValue, updatedBy: actor },
      });
      await this.audit.record(tx, { actor, action: "scheduler.updated", targetType: "scheduler", details: { before, after } });
    });
    await this.pass();
    return this.status();
  }
}
