import { Inject, Injectable, Logger } from "@nestjs/common";
import {
  techniqueSchema,
  type ClaimedMigration,
  type ClaimResponse,
  type CompleteReport,
  type FailReport,
  type ProgressReport,
  type SlaBreachReport,
} from "@ferry/protocol";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError, notFound } from "../common/errors";
import { pageArgs, toPage } from "../common/pagination";
import { lockRow } from "../database/lock";
import { PrismaService, type Tx } from "../database/prisma.service";
import { Prisma, type Migration } from "../generated/prisma/client";
import { ACTIVE_MIGRATION_STATES, allocations, doesNotFit, lockCapacity } from "../nodes/capacity";
import type { EventQuery, MigrationQuery, RequestMigration } from "./dto/migration.dto";
import { MigrationQueue } from "./migration-queue";
import { admitTechnique, predictionView } from "./technique-choice";
import { liveProgress } from "./live-progress";
import { migrationView } from "./migration.view";

/**
 * Node states a migration may still start between: a source may be on its way out (that is often why its
 * VMs move); a target may have been cordoned after the request (cordoning stops new requests, not those
 * already admitted), but not be leaving, failed or off.
 */
const USABLE_SOURCE_STATES = new Set(["active", "cordoned", "draining", "maintenance"]);
const USABLE_TARGET_STATES = new Set(["active", "cordoned"]);

/**
 * The migration lifecycle. A migration's state lives in PostgreSQL and only moves forward (a trigger
 * enforces it): requested -> queued -> running -> completed | failed | cancelled. Every transition
 * happens under a row lock, so an operator's cancel, an agent's report and the reconciler never race.
 * The VM changes node only in the transaction that marks its migration completed; every other ending
 * leaves it on its source, so a VM is always on exactly one node.
 */
@Injectable()
export class MigrationsService {
  private readonly logger = new Logger(MigrationsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly queue: MigrationQueue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /** Admit and record a migration; the scheduler (scheduler/migration-scheduler.ts) decides when it starts. */
  async request(input: RequestMigration, actor: string) {
    return this.prisma.$transaction((tx) => this.admit(tx, input, actor));
  }

  /**
   * Check and record a migration inside the caller's transaction (a plan step and its migration commit
   * together, so a crash never leaves one without the other). Throws a FerryError, before writing anything,
   * when the migration cannot be admitted. The caller dispatches it once committed.
   */
  async admit(tx: Tx, input: Omit<RequestMigration, "reason"> & { reason: string; moveClass?: string }, actor: string): Promise<Migration> {
    await lockCapacity(tx);
    if (!(await lockRow(tx, "Vm", input.vmId))) throw notFound("VmNotFound", input.vmId);
    const vm = await tx.vm.findUniqueOrThrow({ where: { id: input.vmId }, include: { node: true } });
    const target = await tx.node.findUnique({ where: { id: input.targetNodeId } });
    if (!target) throw notFound("NodeNotFound", input.targetNodeId);
    const active = await tx.migration.findFirst({ where: { vmId: vm.id, state: { in: [...ACTIVE_MIGRATION_STATES] } } });
    if (active) {
      throw new FerryError("MigrationInProgress", `VM ${vm.name} already has an active migration ${active.id}`, {
        migrationId: active.id,
      });
    }
    if (vm.state !== "running" || !vm.node) {
      throw new FerryError("VmNotMigratable", `VM ${vm.name} is ${vm.state}; only a running VM can be live-migrated`);
    }
    if (vm.nodeId === target.id) {
      throw new FerryError("VmNotMigratable", `VM ${vm.name} is already on node ${target.name}`);
    }
    if (vm.node.state === "failed" || vm.node.state === "off") {
      throw new FerryError("VmNotMigratable", `VM ${vm.name} is on node ${vm.node.name}, which is ${vm.node.state}`);
    }
    if (target.state !== "active") {
      throw new FerryError("NodeNotSchedulable", `node ${target.name} is ${target.state} and takes no new VMs`, {
        state: target.state,
      });
    }
    const used = (await allocations(tx, [target.id])).get(target.id) ?? { cpu: 0, memMiB: 0 };
    const reason = doesNotFit(target, used, vm);
    if (reason) throw new FerryError("CapacityExceeded", reason, { nodeId: target.id });
    const admitted = admitTechnique(vm, this.config.migrationLink, input);

    const created = await tx.migration.create({
      data: {
        vmId: vm.id,
        sourceNodeId: vm.node.id,
        targetNodeId: target.id,
        technique: admitted.technique.name,
        techniqueOptions: admitted.technique as unknown as Prisma.InputJsonValue,
        prediction: predictionView(admitted) as Prisma.InputJsonValue,
        reason: input.reason,
        moveClass: input.moveClass ?? "operator",
        requestedBy: actor,
        cpu: vm.cpu,
        memMiB: vm.memMiB,
        requestedAt: this.clock.now(),
      },
    });
    await tx.vm.update({ where: { id: vm.id }, data: { state: "migrating" } });
    await this.audit.record(tx, {
      actor,
      action: "migration.requested",
      targetType: "migration",
      targetId: created.id,
      details: {
        vm: vm.name,
        from: vm.node.name,
        to: target.name,
        technique: admitted.label,
        why: admitted.reason,
        reason: input.reason,
        ...(admitted.slaWarning ? { slaWarning: admitted.slaWarning } : {}),
      },
    });
    return created;
  }

  async list(query: MigrationQuery) {
    const where: Prisma.MigrationWhereInput = {
      state: query.state,
      vmId: query.vmId,
      ...(query.nodeId ? { OR: [{ sourceNodeId: query.nodeId }, { targetNodeId: query.nodeId }] } : {}),
    };
    const rows = await this.prisma.migration.findMany({
      where,
      orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
      ...pageArgs(query),
    });
    return toPage(rows, query, migrationView);
  }

  /** A migration; while it runs, with its live progress (rates, ETA, stall) from its latest events. */
  async get(id: string) {
    const m = await this.find(id);
    return { ...migrationView(m), live: m.state === "running" ? await this.live(id) : null };
  }

  async live(id: string) {
    const recent = await this.prisma.migrationEvent.findMany({ where: { migrationId: id }, orderBy: { id: "desc" }, take: 10 });
    return liveProgress(recent.reverse(), this.clock.now().getTime());
  }

  /** Progress events, oldest first, paged by event id. */
  async events(id: string, query: EventQuery) {
    await this.find(id);
    const rows = await this.prisma.migrationEvent.findMany({
      where: { migrationId: id, ...(query.cursor ? { id: { gt: BigInt(query.cursor) } } : {}) },
      orderBy: { id: "asc" },
      take: query.limit + 1,
    });
    return toPage(
      rows,
      query,
      (e) => ({
        at: e.at.toISOString(),
        phase: e.phase,
        round: e.round,
        progress: e.progress,
        bytesSent: e.bytesSent === null ? null : Number(e.bytesSent),
        pagesRemaining: e.pagesRemaining === null ? null : Number(e.pagesRemaining),
        etaMs: e.etaMs,
        message: e.message,
      }),
      (e) => e.id.toString(),
    );
  }

  private async find(id: string): Promise<Migration> {
    const m = await this.prisma.migration.findUnique({ where: { id } });
    if (!m) throw notFound("MigrationNotFound", id);
    return m;
  }

  /**
   * An operator's cancel. Before the agent starts, the migration ends at once. Once it runs, the agent is
   * asked to stop (its next progress report learns it) and the migration ends as cancelled when the agent
   * confirms that the VM is back on its source; if the agent had already switched over, it completes.
   */
  async cancel(id: string, actor: string) {
    const { migration, withdraw } = await this.prisma.$transaction(async (tx) => {
      if (!(await lockRow(tx, "Migration", id))) throw notFound("MigrationNotFound", id);
      const m = await tx.migration.findUniqueOrThrow({ where: { id } });
      if (m.state === "requested" || m.state === "queued") {
        const ended = await this.end(tx, m, "cancelled", `cancelled by ${actor} before it started`, actor);
        return { migration: ended, withdraw: true };
      }
      if (m.state === "running") {
        if (m.cancelRequestedAt) return { migration: m, withdraw: false };
        const asked = await tx.migration.update({ where: { id }, data: { cancelRequestedAt: this.clock.now() } });
        await this.audit.record(tx, { actor, action: "migration.cancel-requested", targetType: "migration", targetId: id });
        return { migration: asked, withdraw: false };
      }
      throw new FerryError("InvalidTransition", `migration ${id} is already ${m.state}`, { state: m.state });
    });
    if (withdraw) await this.queue.withdraw(migration.sourceNodeId, migration.id).catch(() => undefined);
    return migrationView(migration);
  }

  /** End a migration that is not completed. The VM stays where it is: on its source. */
  private async end(tx: Tx, m: Migration, state: "failed" | "cancelled", error: string, actor: string): Promise<Migration> {
    const ended = await tx.migration.update({
      where: { id: m.id },
      data: { state, error, finishedAt: this.clock.now() },
    });
    await tx.vm.updateMany({ where: { id: m.vmId, state: "migrating" }, data: { state: "running" } });
    await this.audit.record(tx, {
      actor,
      action: `migration.${state}`,
      targetType: "migration",
      targetId: m.id,
      details: { error, from: m.state },
    });
    return ended;
  }

  /** Lock a migration reported on by an agent, checking that the agent is its source. */
  private async lockForAgent(tx: Tx, id: string, nodeId: string): Promise<Migration> {
    if (!(await lockRow(tx, "Migration", id))) throw notFound("MigrationNotFound", id);
    const m = await tx.migration.findUniqueOrThrow({ where: { id } });
    if (m.sourceNodeId !== nodeId) {
      throw new FerryError("InvalidTransition", `node ${nodeId} is not the source of migration ${id}`);
    }
    return m;
  }

  /**
   * The gate every migration job passes before it moves anything: the agent may start only a migration
   * that is requested or queued and whose nodes are still usable. Claims are idempotent per agent attempt:
   * the attempt that started a migration and claims it again (its first answer was lost) gets the same
   * go-ahead. Any other claim of a running migration is a job delivered again after the agent lost it
   * mid-way (a crash): that attempt is failed and the VM stays on its source, rather than starting a second copy.
   */
  async claim(id: string, nodeId: string, agent: string, attemptId?: string): Promise<ClaimResponse> {
    return this.prisma.$transaction(async (tx) => {
      const m = await this.lockForAgent(tx, id, nodeId);
      if (m.state === "running") {
        if (attemptId !== undefined && m.claimAttempt === attemptId) return { proceed: true, migration: await this.claimed(tx, m) };
        await this.end(tx, m, "failed", "the source agent lost the migration mid-way (restart); the VM stays on its source", agent);
        return { proceed: false, reason: "migration was already running: failed, VM stays on its source" };
      }
      if (m.state !== "requested" && m.state !== "queued") return { proceed: false, reason: `migration is ${m.state}` };
      const [source, target] = await Promise.all([
        tx.node.findUniqueOrThrow({ where: { id: m.sourceNodeId } }),
        tx.node.findUniqueOrThrow({ where: { id: m.targetNodeId } }),
      ]);
      for (const [node, usable] of [
        [source, USABLE_SOURCE_STATES],
        [target, USABLE_TARGET_STATES],
      ] as const) {
        if (!usable.has(node.state)) {
          const why = `node ${node.name} is ${node.state}`;
          await this.end(tx, m, "failed", why, agent);
          return { proceed: false, reason: why };
        }
      }
      const now = this.clock.now();
      await tx.migration.update({ where: { id }, data: { state: "running", startedAt: now, lastProgressAt: now, claimAttempt: attemptId ?? null } });
      await this.audit.record(tx, { actor: agent, action: "migration.started", targetType: "migration", targetId: id });
      return { proceed: true, migration: await this.claimed(tx, m) };
    });
  }

  /** What the source agent needs to carry out a migration it claimed. */
  private async claimed(tx: Tx, m: Migration): Promise<ClaimedMigration> {
    const [target, vm] = await Promise.all([
      tx.node.findUniqueOrThrow({ where: { id: m.targetNodeId } }),
      tx.vm.findUniqueOrThrow({ where: { id: m.vmId } }),
    ]);
    return {
      id: m.id,
      technique: techniqueSchema.parse(m.technique),
      techniqueOptions: m.techniqueOptions as Record<string, unknown>,
      vm: { id: vm.id, name: vm.name, cpu: vm.cpu, memMiB: vm.memMiB, dirtyRateMiBps: vm.dirtyRateMiBps },
      sourceNodeId: m.sourceNodeId,
      target: { id: target.id, name: target.name },
      sla: { maxDowntimeMs: vm.slaMaxDowntimeMs, maxTotalMs: vm.slaMaxTotalMs },
    };
  }

  /** Record progress; the answer tells the agent whether to stop (cancel asked, or the migration ended). */
  async progress(id: string, nodeId: string, report: ProgressReport): Promise<{ cancel: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      const m = await this.lockForAgent(tx, id, nodeId);
      if (m.state !== "running") return { cancel: true };
      await tx.migrationEvent.create({
        data: {
          migrationId: id,
          phase: report.phase,
          round: report.round ?? null,
          progress: report.progress,
          bytesSent: report.bytesSent === undefined ? null : BigInt(report.bytesSent),
          pagesRemaining: report.pagesRemaining === undefined ? null : BigInt(report.pagesRemaining),
          etaMs: report.etaMs ?? null,
          message: report.message ?? null,
        },
      });
      await tx.migration.update({ where: { id }, data: { progress: report.progress, lastProgressAt: this.clock.now() } });
      return { cancel: m.cancelRequestedAt !== null };
    });
  }

  /** The switchover happened: the VM now runs on the target. Idempotent. */
  async complete(id: string, nodeId: string, report: CompleteReport, agent: string) {
    const m = await this.prisma.$transaction(async (tx) => {
      const current = await this.lockForAgent(tx, id, nodeId);
      if (current.state === "completed") return current;
      if (current.state !== "running") {
        throw new FerryError("InvalidTransition", `migration ${id} is ${current.state}; the VM must stay on its source`, {
          state: current.state,
        });
      }
      const done = await tx.migration.update({
        where: { id },
        data: {
          state: "completed",
          finishedAt: this.clock.now(),
          progress: 1,
          ...report.metrics,
          pagesTransferred: BigInt(report.metrics.pagesTransferred),
          bytesTransferred: BigInt(report.bytesTransferred),
        },
      });
      await tx.vm.update({ where: { id: current.vmId }, data: { nodeId: current.targetNodeId, state: "running" } });
      await this.audit.record(tx, {
        actor: agent,
        action: "migration.completed",
        targetType: "migration",
        targetId: id,
        details: { vmId: current.vmId, from: current.sourceNodeId, to: current.targetNodeId, metrics: report.metrics },
      });
      return done;
    });
    return migrationView(m);
  }

  /** The migration stopped before switchover; the VM is still on its source. Idempotent. */
  async fail(id: string, nodeId: string, report: FailReport, agent: string) {
    const m = await this.prisma.$transaction(async (tx) => {
      const current = await this.lockForAgent(tx, id, nodeId);
      if (current.state === "failed" || current.state === "cancelled") return current;
      if (current.state === "completed") {
        throw new FerryError("InvalidTransition", `migration ${id} already completed`, { state: current.state });
      }
      const cancelled = report.cancelled && current.cancelRequestedAt !== null;
      return this.end(tx, current, cancelled ? "cancelled" : "failed", report.error, agent);
    });
    return migrationView(m);
  }

  async reportSlaBreach(id: string, nodeId: string, report: SlaBreachReport, agent: string) {
    const m = await this.prisma.migration.findUnique({ where: { id } });
    if (!m) throw notFound("MigrationNotFound", id);
    if (m.sourceNodeId !== nodeId) throw new FerryError("InvalidTransition", `node ${nodeId} is not the source of migration ${id}`);
    const breach = await this.prisma.slaBreach.upsert({
      where: { migrationId_kind: { migrationId: id, kind: report.kind } },
      create: { migrationId: id, vmId: m.vmId, kind: report.kind, limitMs: report.limitMs, actualMs: report.actualMs, reportedBy: agent },
      update: {},
    });
    return { id: breach.id.toString(), migrationId: id, vmId: m.vmId, kind: breach.kind, limitMs: breach.limitMs, actualMs: breach.actualMs };
  }

  async slaBreaches(id: string) {
    await this.find(id);
    const rows = await this.prisma.slaBreach.findMany({ where: { migrationId: id }, orderBy: { id: "asc" } });
    return {
      items: rows.map((b) => ({ kind: b.kind, limitMs: b.limitMs, actualMs: b.actualMs, reportedBy: b.reportedBy, at: b.at.toISOString() })),
      nextCursor: null,
    };
  }

  /** A node failed: end every migration that involves it. VMs stay on their sources. */
  async abortForNode(nodeId: string, nodeName: string): Promise<number> {
    const affected = await this.prisma.migration.findMany({
      where: { state: { in: [...ACTIVE_MIGRATION_STATES] }, OR: [{ sourceNodeId: nodeId }, { targetNodeId: nodeId }] },
      select: { id: true },
    });
    for (const { id } of affected) {
      const ended = await this.prisma.$transaction(async (tx) => {
        await lockRow(tx, "Migration", id);
        const m = await tx.migration.findUniqueOrThrow({ where: { id } });
        if (!ACTIVE_MIGRATION_STATES.includes(m.state as (typeof ACTIVE_MIGRATION_STATES)[number])) return null;
        return this.end(tx, m, "failed", `node ${nodeName} failed`, "system:liveness");
      });
      if (ended) await this.queue.withdraw(ended.sourceNodeId, ended.id).catch(() => undefined);
    }
    return affected.length;
  }

  /**
   * Repairs what a crash can leave behind: a migration the scheduler marked queued but never enqueued (the
   * controller died between the two) or whose job vanished (Redis lost it), and a running migration
   * whose agent went silent (KubeVirt's progressTimeout): that one is failed and its VM stays on its source.
   */
  async reconcile(progressTimeoutMs: number, upSinceMs = 0): Promise<{ dispatched: number; stalled: number }> {
    const now = this.clock.now().getTime();
    let dispatched = 0;
    // Requested migrations are the scheduler's; a queued one whose job vanished is enqueued again.
    const pending = await this.prisma.migration.findMany({ where: { state: "queued" } });
    for (const m of pending) {
      const age = now - (m.queuedAt ?? m.requestedAt).getTime();
      if (age < 1_000) continue;
      if (await this.queue.ensure(m.sourceNodeId, m.id)) dispatched++;
    }
    // Silence counts only while the controller was up to hear (`upSinceMs`): after an outage, agents get a whole
    // timeout to report again, and one that switched over meanwhile to have its completion recorded.
    const stale =
      now - progressTimeoutMs < upSinceMs
        ? []
        : await this.prisma.migration.findMany({
            where: { state: "running", lastProgressAt: { lt: new Date(now - progressTimeoutMs) } },
            select: { id: true },
          });
    for (const { id } of stale) {
      await this.prisma.$transaction(async (tx) => {
        await lockRow(tx, "Migration", id);
        const m = await tx.migration.findUniqueOrThrow({ where: { id } });
        if (m.state !== "running") return;
        await this.end(tx, m, "failed", `no progress for ${Math.round(progressTimeoutMs / 1000)} s; the VM stays on its source`, "system:reconciler");
      });
    }
    return { dispatched, stalled: stale.length };
  }
}
