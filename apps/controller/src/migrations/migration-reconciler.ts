import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { lockRow } from "../database/lock";
import { PrismaService } from "../database/prisma.service";
import { ACTIVE_MIGRATION_STATES } from "../nodes/capacity";
import { MigrationEnding } from "./migration-ending";
import { MigrationQueue } from "./migration-queue";

/** Ends what a crash or a failed node leaves behind, on a timer (on the leader) and when liveness fails a node. */
@Injectable()
export class MigrationReconciler implements OnModuleInit {
  private readonly logger = new Logger(MigrationReconciler.name);

  /** Agents could not report while the controller was down: their silence is counted from its start. */
  private readonly startedAt: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly queue: MigrationQueue,
    private readonly ending: MigrationEnding,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.startedAt = clock.now().getTime();
  }

  onModuleInit(): void {
    this.periodic.every("migration-reconcile", this.config.reconcileIntervalMs, async () => {
      const result = await this.reconcile(this.config.migrationProgressTimeoutMs, this.startedAt);
      if (result.dispatched || result.stalled) this.logger.log(`reconciled: ${JSON.stringify(result)}`);
    });
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
        return this.ending.end(tx, m, "failed", `node ${nodeName} failed`, "system:liveness");
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
        await this.ending.end(tx, m, "failed", `no progress for ${Math.round(progressTimeoutMs / 1000)} s; the VM stays on its source`, "system:reconciler");
      });
    }
    return { dispatched, stalled: stale.length };
  }
}
