import { Inject, Injectable, Logger } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError, notFound } from "../common/errors";
import { PrismaService } from "../database/prisma.service";
import type { NodeState } from "@ferry/protocol";
import type { Node, Vm } from "../generated/prisma/client";
import { MigrationsService } from "../migrations/migrations.service";
import { ACTIVE_MIGRATION_STATES } from "../nodes/capacity";
import { transition } from "../nodes/node-transitions";
import { readSnapshot } from "../placement/cluster-snapshot";
import type { PlanDraft } from "../plans/plan-draft";
import { PlansService } from "../plans/plans.service";
import { nodeToWake } from "../power/power-decisions";
import { PowerService } from "../power/power.service";
import { drainDraft } from "./drain-plan";

/**
 * A maintenance drain (Nova's host evacuation done live, kubectl drain for VMs): the node stops taking VMs,
 * migrations headed to it are cancelled, and a drain plan moves every VM it can elsewhere, applied at once
 * within the scheduler's limits. The node ends in maintenance with no VMs; a VM that cannot leave is listed
 * with its reason and keeps the node draining (and a switched-off node that can take it is woken). Cancelling
 * the plan gives the node back its earlier state.
 */
@Injectable()
export class DrainService {
  private readonly logger = new Logger(DrainService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly plans: PlansService,
    private readonly migrations: MigrationsService,
    private readonly power: PowerService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async drain(nodeId: string, actor: string) {
    const { node, previousState, open } = await this.prisma.$transaction(async (tx) => {
      const [current] = await tx.$queryRaw<Node[]>`SELECT * FROM "Node" WHERE id = ${nodeId}::uuid FOR UPDATE`;
      if (!current) throw notFound("NodeNotFound", nodeId);
      const open = await tx.plan.findFirst({ where: { kind: "drain", state: { in: ["proposed", "approved", "applying"] }, scopeNodeIds: { has: nodeId } } });
      if (open && current.state === "draining") return { node: current, previousState: current.state, open };
      const t = transition(current.state, "drain");
      if (!t.ok) throw new FerryError("InvalidTransition", `node ${current.name}: ${t.reason}`, { state: current.state, action: "drain" });
      await tx.node.update({ where: { id: nodeId }, data: { state: "draining", stateReason: `drain requested by ${actor}` } });
      await this.audit.record(tx, { actor, action: "node.drain", targetType: "node", targetId: nodeId, details: { name: current.name, from: current.state } });
      return { node: current, previousState: current.state === "draining" ? "cordoned" : current.state, open: null };
    });
    // A second drain of a node already draining answers with the drain under way.
    if (open) return this.plans.get(open.id);

    const incoming = await this.prisma.migration.findMany({ where: { targetNodeId: nodeId, state: { in: [...ACTIVE_MIGRATION_STATES] } }, select: { id: true } });
    for (const m of incoming) {
      await this.migrations.cancel(m.id, `drain of ${node.name}`).catch((e: unknown) => this.logger.warn(`drain ${node.name}: ${e}`));
    }
    const [snapshot, vms] = await Promise.all([
      this.prisma.$transaction((tx) => readSnapshot(tx), { isolationLevel: "RepeatableRead" }),
      this.prisma.vm.findMany({ where: { nodeId, state: "running" } }),
    ]);
    const draft = drainDraft(snapshot, nodeId, vms, this.config.migrationLink, `node ${node.name} drained for maintenance by ${actor}`);
    const woke = await this.wakeForBlocked(draft, vms, actor);
    return this.plans.store({ ...draft, reason: { ...draft.reason, ...(woke ? { woke } : {}) }, params: { nodeId, previousState } }, { actor, mode: "auto" });
  }

  /**
   * VMs that no running node takes: a switched-off node that can hold the largest of them is woken. The drain
   * still ends with them on the node; drained again once the woken node is active, they leave.
   */
  private async wakeForBlocked(draft: PlanDraft, vms: readonly Vm[], actor: string) {
    const [largest] = vms
      .filter((v) => draft.blocked?.some((b) => b.vmId === v.id && b.reason.startsWith("no node takes it")))
      .sort((a, b) => b.memMiB - a.memMiB || b.cpu - a.cpu);
    if (!largest) return null;
    const nodes = await this.prisma.node.findMany({ orderBy: { name: "asc" } });
    const choice = nodeToWake(
      nodes.map((n) => ({ ...n, state: n.state as NodeState })),
      largest,
    );
    if ("none" in choice) return null;
    const reason = `VM ${largest.name} must leave the drained node and no running node takes it; drain again once ${choice.name} is active`;
    await this.power.wake(choice.nodeId, actor, reason);
    return { nodeId: choice.nodeId, node: choice.name, reason };
  }
}
