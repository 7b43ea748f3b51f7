import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { PrismaService } from "../database/prisma.service";
import { MigrationReconciler } from "../migrations/migration-reconciler";
import { HeartbeatBuffer } from "../nodes/heartbeat-buffer";
import { PowerService } from "../power/power.service";

export type LivenessVerdict = "fail" | "recover" | "keep";

/**
 * A node is failed when nothing has been heard from it for the timeout (counting from registration when
 * it never sent a heartbeat), and active again when heartbeats resume after it failed. Switched-off nodes are
 * left alone (their agents report as a powered-off server's management controller would, or not at all).
 */
export function judge(state: string, lastHeardMs: number, failedAtMs: number | null, nowMs: number, timeoutMs: number): LivenessVerdict {
  const silent = nowMs - lastHeardMs > timeoutMs;
  if (state === "off") return "keep";
  if (state === "failed") return !silent && failedAtMs !== null && lastHeardMs > failedAtMs ? "recover" : "keep";
  return silent ? "fail" : "keep";
}

/**
 * When silence may be judged again (ms since epoch): a full timeout after the controller started, and after
 * heartbeats last could not be recorded or read. While heartbeats cannot be recorded every node looks silent
 * for as long as that lasts, and failing them all would end every migration in the cluster; afterwards each
 * node gets a whole timeout to be heard again.
 */
export function judgingResumesAt(startedAtMs: number, lastOutageAtMs: number | null, timeoutMs: number): number {
  return Math.max(startedAtMs, lastOutageAtMs ?? startedAtMs) + timeoutMs;
}

@Injectable()
export class NodeLiveness implements OnModuleInit {
  private readonly logger = new Logger(NodeLiveness.name);
  private readonly startedAt: number;
  /** When this check last failed to read the last-seen times from Redis. */
  private unreadableAt: number | null = null;
  private paused = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly heartbeats: HeartbeatBuffer,
    private readonly migrations: MigrationReconciler,
    private readonly audit: AuditService,
    private readonly power: PowerService,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.startedAt = clock.now().getTime();
  }

  onModuleInit(): void {
    this.periodic.every("node-liveness", this.config.reconcileIntervalMs, () => this.check());
  }

  async check(): Promise<void> {
    // Repairs the heartbeats' view of which nodes are off or waking, should a write after a change have been lost.
    await this.power.publish();
    const now = this.clock.now().getTime();
    const seen = await this.heartbeats.lastSeen().catch((e: unknown) => {
      this.unreadableAt = now;
      throw e;
    });
    const outage = Math.max(this.unreadableAt ?? 0, this.heartbeats.lastUnrecordedAt ?? 0) || null;
    const resumesAt = judgingResumesAt(this.startedAt, outage, this.config.heartbeatTimeoutMs);
    if (now < resumesAt) {
      if (outage !== null && !this.paused) {
        this.logger.warn(`heartbeats could not be recorded: no node is judged silent before ${new Date(resumesAt).toISOString()}`);
        this.paused = true;
      }
      return;
    }
    if (this.paused) this.logger.log("heartbeats are recorded again: judging node liveness");
    this.paused = false;
    const nodes = await this.prisma.node.findMany();
    for (const node of nodes) {
      const lastHeard = Math.max(seen.get(node.id) ?? 0, node.lastHeartbeatAt?.getTime() ?? 0, node.createdAt.getTime());
      const failedAt = node.state === "failed" ? node.updatedAt.getTime() : null;
      const verdict = judge(node.state, lastHeard, failedAt, now, this.config.heartbeatTimeoutMs);
      if (verdict === "fail") await this.setState(node.id, node.name, node.state, "failed", `no heartbeat for ${Math.round((now - lastHeard) / 1000)} s`);
      if (verdict === "recover") await this.setState(node.id, node.name, node.state, "active", "heartbeats resumed");
    }
  }

  private async setState(id: string, name: string, from: string, to: "failed" | "active", reason: string): Promise<void> {
    const changed = await this.prisma.$transaction(async (tx) => {
      const moved = await tx.node.updateMany({ where: { id, state: from as never }, data: { state: to, stateReason: reason } });
      if (!moved.count) return false;
      await this.audit.record(tx, {
        actor: "system:liveness",
        action: to === "failed" ? "node.failed" : "node.recovered",
        targetType: "node",
        targetId: id,
        details: { name, from, reason },
      });
      return true;
    });
    if (!changed) return;
    this.logger.warn(`node ${name}: ${from} -> ${to} (${reason})`);
    if (to === "failed") {
      const ended = await this.migrations.abortForNode(id, name);
      if (ended) this.logger.warn(`node ${name}: ended ${ended} migration(s); their VMs stay on their sources`);
      // Whether they still run there cannot be known: recovery/cold-restart.ts restarts them after a grace period.
      const unknown = await this.prisma.vm.updateMany({ where: { nodeId: id, state: { in: ["running", "migrating"] } }, data: { state: "unknown" } });
      if (unknown.count) this.logger.warn(`node ${name}: ${unknown.count} VM(s) now unknown`);
    } else {
      await this.prisma.vm.updateMany({ where: { nodeId: id, state: "unknown" }, data: { state: "running" } });
    }
  }
}
