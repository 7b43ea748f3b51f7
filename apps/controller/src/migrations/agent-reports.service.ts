import { Inject, Injectable } from "@nestjs/common";
import {
  techniqueSchema,
  type ClaimedMigration,
  type ClaimResponse,
  type CompleteReport,
  type FailReport,
  type ProgressReport,
  type ProgressResponse,
  type SlaBreachReport,
  type TransferGrant,
  type VmPlacement,
} from "@ferry/protocol";
import { AuditService } from "../audit/audit.service";
import { transferSecret } from "../auth/secrets";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError, notFound } from "../common/errors";
import { afterCommit } from "../database/after-commit";
import { lockRow } from "../database/lock";
import { ChangeFeed } from "../events/change-feed";
import { PrismaService, type Tx } from "../database/prisma.service";
import type { Migration } from "../generated/prisma/client";
import { ACTIVE_MIGRATION_STATES } from "../nodes/capacity";
import { MigrationEnding } from "./migration-ending";
import { migrationView } from "./migration.view";

/**
 * Node states a migration may still start between: a source may be on its way out (that is often why its
 * VMs move); a target may have been cordoned after the request (cordoning stops new requests, not those
 * already admitted), but not be leaving, failed or off.
 */
const USABLE_SOURCE_STATES = new Set(["active", "cordoned", "draining", "maintenance"]);
const USABLE_TARGET_STATES = new Set(["active", "cordoned"]);

/** Only a migration's source agent reports on it. */
const notSource = (nodeId: string, id: string) =>
  new FerryError("Forbidden", `node ${nodeId} is not the source of migration ${id}`, { nodeId });

/**
 * What source agents report on their migrations: the claim before anything moves, progress, completion (the
 * only place a VM changes node), failure and SLA breaches. Each is checked against the migration's source and
 * recorded under the migration's row lock.
 */
@Injectable()
export class AgentReportsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly ending: MigrationEnding,
    private readonly feed: ChangeFeed,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /** Lock a migration reported on by an agent, checking that the agent is its source. */
  private async lockForAgent(tx: Tx, id: string, nodeId: string): Promise<Migration> {
    if (!(await lockRow(tx, "Migration", id))) throw notFound("MigrationNotFound", id);
    const m = await tx.migration.findUniqueOrThrow({ where: { id } });
    if (m.sourceNodeId !== nodeId) throw notSource(nodeId, id);
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
        await this.ending.end(tx, m, "failed", "the source agent lost the migration mid-way (restart); the VM stays on its source", agent);
        return { proceed: false, reason: "migration was already running: failed, VM stays on its source" };
      }
      if (m.state !== "requested" && m.state !== "queued") return { proceed: false, reason: `migration is ${m.state}` };
      if (await this.hopCancelled(tx, m)) {
        await this.ending.end(tx, m, "cancelled", "the migration this hop serves was cancelled before the hop started", agent);
        return { proceed: false, reason: "cancelled" };
      }
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
          await this.ending.end(tx, m, "failed", why, agent);
          return { proceed: false, reason: why };
        }
      }
      const now = this.clock.now();
      const started = await tx.migration.update({
        where: { id },
        data: { state: "running", startedAt: now, lastProgressAt: now, claimAttempt: attemptId ?? null },
      });
      await this.audit.record(tx, { actor: agent, action: "migration.started", targetType: "migration", targetId: id });
      return { proceed: true, migration: await this.claimed(tx, started) };
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
      vm: { id: vm.id, name: vm.name, cpu: vm.cpu, memMiB: vm.memMiB, dirtyRateMiBps: vm.dirtyRateMiBps, postCopyRecovery: vm.postCopyRecovery },
      sourceNodeId: m.sourceNodeId,
      target: { id: target.id, name: target.name, dataAddress: target.dataAddress },
      sla: { maxDowntimeMs: vm.slaMaxDowntimeMs, maxTotalMs: vm.slaMaxTotalMs },
      bandwidthMbps: m.bandwidthShareMbps,
      transferSecret: transferSecret(this.config.transferKey, { id: m.id, startedAt: m.startedAt! }),
    };
  }

  /**
   * The secret the two agents of a running migration authenticate their connection with, for either of them
   * (the source also has it in its claim answer). Only while the migration runs.
   */
  async transferGrant(id: string, nodeId: string): Promise<TransferGrant> {
    const m = await this.prisma.migration.findUnique({ where: { id } });
    if (!m) throw notFound("MigrationNotFound", id);
    if (m.sourceNodeId !== nodeId && m.targetNodeId !== nodeId) {
      throw new FerryError("Forbidden", `node ${nodeId} is neither source nor target of migration ${id}`, { nodeId });
    }
    if (m.state !== "running" || !m.startedAt) {
      throw new FerryError("InvalidTransition", `migration ${id} is ${m.state}: no transfer to authenticate`, { state: m.state });
    }
    return {
      migrationId: m.id,
      sourceNodeId: m.sourceNodeId,
      targetNodeId: m.targetNodeId,
      vmId: m.vmId,
      memMiB: m.memMiB,
      transferSecret: transferSecret(this.config.transferKey, { id: m.id, startedAt: m.startedAt }),
    };
  }

  /**
   * Where a VM is recorded, for an agent whose node runs it or was the source or target of one of its migrations
   * (the only nodes that may hold an image of it).
   */
  async vmPlacement(vmId: string, nodeId: string): Promise<VmPlacement> {
    // One snapshot: read apart, a completion recorded in between would show the VM still on its source with no
    // migration open, and its target would discard the image it is about to be told to run.
    return this.prisma.$transaction(
      async (tx) => {
        const vm = await tx.vm.findUnique({ where: { id: vmId }, select: { nodeId: true } });
        if (!vm) throw notFound("VmNotFound", vmId);
        if (vm.nodeId !== nodeId) {
          const involved = await tx.migration.count({ where: { vmId, OR: [{ sourceNodeId: nodeId }, { targetNodeId: nodeId }] } });
          if (!involved) throw new FerryError("Forbidden", `VM ${vmId} neither runs nor ran on node ${nodeId}`, { nodeId });
        }
        const open = await tx.migration.findFirst({ where: { vmId, state: { in: [...ACTIVE_MIGRATION_STATES] } }, select: { id: true } });
        const arrived =
          vm.nodeId === null
            ? null
            : await tx.migration.findFirst({ where: { vmId, state: "completed", targetNodeId: vm.nodeId }, orderBy: { finishedAt: "desc" }, select: { id: true } });
        return { vmId, nodeId: vm.nodeId, openMigrationId: open?.id ?? null, arrivedBy: arrived?.id ?? null };
      },
      { isolationLevel: "RepeatableRead" },
    );
  }

  /** A hop's leg stops when the migration it serves is cancelled: the operator's cancel reaches the VM's current move. */
  private async hopCancelled(tx: Tx, m: Migration): Promise<boolean> {
    if (!m.hopForId) return false;
    const parent = await tx.migration.findUnique({ where: { id: m.hopForId }, select: { cancelRequestedAt: true, state: true } });
    return parent !== null && (parent.cancelRequestedAt !== null || parent.state === "cancelled");
  }

  /**
   * Record progress; the answer tells the agent whether to stop (cancel asked, or the migration ended) and the
   * share of the links the scheduler gives the migration now, which the agent's rate follows.
   */
  async progress(id: string, nodeId: string, report: ProgressReport): Promise<ProgressResponse> {
    return this.prisma.$transaction(async (tx) => {
      const m = await this.lockForAgent(tx, id, nodeId);
      if (m.state !== "running") return { cancel: true, bandwidthMbps: m.bandwidthShareMbps };
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
      const { phase, round, progress, bytesSent, pagesRemaining, etaMs } = report;
      afterCommit(tx, () => void this.feed.publish("migration", id, "progress", { phase, round, progress, bytesSent, pagesRemaining, etaMs }));
      return { cancel: m.cancelRequestedAt !== null || (await this.hopCancelled(tx, m)), bandwidthMbps: m.bandwidthShareMbps };
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
          ...(report.imageDigest && { imageDigest: report.imageDigest }),
        },
      });
      await tx.vm.update({ where: { id: current.vmId }, data: { nodeId: current.targetNodeId, state: "running" } });
      // The first leg of a hop landed: the VM waits on the hop node for the rest of its migration.
      if (await this.ending.afterLeg(tx, current, agent)) await tx.vm.update({ where: { id: current.vmId }, data: { state: "migrating" } });
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
      if (report.imageDigest) await tx.migration.update({ where: { id }, data: { imageDigest: report.imageDigest } });
      return this.ending.end(tx, current, cancelled ? "cancelled" : "failed", report.error, agent);
    });
    return migrationView(m);
  }

  async reportSlaBreach(id: string, nodeId: string, report: SlaBreachReport, agent: string) {
    const m = await this.prisma.migration.findUnique({ where: { id } });
    if (!m) throw notFound("MigrationNotFound", id);
    if (m.sourceNodeId !== nodeId) throw notSource(nodeId, id);
    const breach = await this.prisma.slaBreach.upsert({
      where: { migrationId_kind: { migrationId: id, kind: report.kind } },
      create: { migrationId: id, vmId: m.vmId, kind: report.kind, limitMs: report.limitMs, actualMs: report.actualMs, reportedBy: agent },
      update: {},
    });
    return { id: breach.id.toString(), migrationId: id, vmId: m.vmId, kind: breach.kind, limitMs: breach.limitMs, actualMs: breach.actualMs };
  }
}
