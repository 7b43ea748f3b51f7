import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { PrismaService } from "../database/prisma.service";
import { MigrationsService } from "../migrations/migrations.service";
import { HeartbeatBuffer } from "../nodes/heartbeat-buffer";

export type LivenessVerdict = "fail" | "recover" | "keep";

/**
 * A node is failed when nothing has been heard from it for the timeout (counting from registration when
 * it never sent a heartbeat), and active again when heartbeats resume after it failed. Nodes an operator
 * switched off are left alone.
 */
export function judge(state: string, lastHeardMs: number, failedAtMs: number | null, nowMs: number, timeoutMs: number): LivenessVerdict {
  const silent = nowMs - lastHeardMs > timeoutMs;
  if (state === "off") return "keep";
  if (state === "failed") return !silent && failedAtMs !== null && lastHeardMs > failedAtMs ? "recover" : "keep";
  return silent ? "fail" : "keep";
}

@Injectable()
export class NodeLiveness implements OnModuleInit {
  private readonly logger = new Logger(NodeLiveness.name);
  /**
   * Silence is only judged once the controller has itself been up for a full timeout: after a controller
   * outage every node looks silent for as long as the outage lasted, and failing them all would end every
   * migration in the cluster.
   */
  private readonly judgingFrom: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly heartbeats: HeartbeatBuffer,
    private readonly migrations: MigrationsService,
    private readonly audit: AuditService,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.judgingFrom = clock.now().getTime() + config.heartbeatTimeoutMs;
  }

  onModuleInit(): void {
    this.periodic.every("node-liveness", this.config.reconcileIntervalMs, () => this.check());
  }

  async check(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now < this.judgingFrom) return;
    const [nodes, seen] = await Promise.all([this.prisma.node.findMany(), this.heartbeats.lastSeen()]);
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
