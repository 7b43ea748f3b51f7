import { Injectable, Logger } from "@nestjs/common";
import type { NodeState, PowerState } from "@ferry/protocol";
import { AuditService } from "../audit/audit.service";
import { FerryError, notFound } from "../common/errors";
import { PrismaService, type Tx } from "../database/prisma.service";
import type { Node } from "../generated/prisma/client";
import { ACTIVE_MIGRATION_STATES, lockCapacity } from "../nodes/capacity";
import { RedisService } from "../redis/redis.module";
import { powerOffRefusal } from "./power-decisions";

/** The Redis hash (node id -> "off" | "waking") a heartbeat reads its answer from, under the controller's prefix. */
export const POWER_MIRROR = ["power", "nodes"] as const;

/**
 * Switches nodes off and wakes them, through their agents. The node's state in PostgreSQL is the truth; a
 * heartbeat never reads PostgreSQL, so the nodes that are off or waking are mirrored in one Redis hash that
 * the heartbeat reads in its own round trip, and the agent is told the power state its node should be in
 * (nodes/heartbeat-buffer.ts). Every change rewrites the mirror after it commits, and the liveness loop
 * rewrites it on every pass, so a lost write is repaired within a pass.
 *
 * off: only a node with no VM and no migration under way, in the same transaction that checks it (under the
 * capacity lock, so no migration can be admitted to it meanwhile). waking: an off node told to power on; it
 * takes no VMs until its agent reports powered on, then it is active (wokeUp).
 */
@Injectable()
export class PowerService {
  private readonly logger = new Logger(PowerService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly redis: RedisService,
  ) {}

  /** An operator's power switch: off (refused with the reason unless the node is empty), or on (an off node wakes). */
  async set(nodeId: string, state: PowerState, actor: string): Promise<void> {
    if (state === "off") {
      const refused = await this.prisma.$transaction((tx) => this.switchOffIn(tx, nodeId, actor, `switched off by ${actor}`));
      if (refused) throw new FerryError("InvalidTransition", refused, { action: "power-off" });
    } else {
      await this.wake(nodeId, actor, `switched on by ${actor}`);
    }
    await this.publish();
  }

  /**
   * Switch a node off inside the caller's transaction; returns why it may not be, or null once it is off
   * (audited). The caller publishes after its transaction commits.
   */
  async switchOffIn(tx: Tx, nodeId: string, actor: string, reason: string): Promise<string | null> {
    await lockCapacity(tx);
    const [node] = await tx.$queryRaw<Node[]>`SELECT * FROM "Node" WHERE id = ${nodeId}::uuid FOR UPDATE`;
    if (!node) throw notFound("NodeNotFound", nodeId);
    const [vms, migrations] = await Promise.all([
      tx.vm.count({ where: { nodeId } }),
      tx.migration.count({ where: { state: { in: [...ACTIVE_MIGRATION_STATES] }, OR: [{ sourceNodeId: nodeId }, { targetNodeId: nodeId }] } }),
    ]);
    const refused = powerOffRefusal({ name: node.name, state: node.state as NodeState }, vms, migrations);
    if (refused) return refused;
    await tx.node.update({ where: { id: nodeId }, data: { state: "off", stateReason: reason } });
    await this.audit.record(tx, { actor, action: "node.power-off", targetType: "node", targetId: nodeId, details: { name: node.name, from: node.state, reason } });
    this.logger.log(`node ${node.name}: ${node.state} -> off (${reason})`);
    return null;
  }

  /** Tell an off node to power on: it is waking until its agent reports powered on. A node not off is left as it is. */
  async wake(nodeId: string, actor: string, reason: string): Promise<boolean> {
    const woken = await this.prisma.$transaction(async (tx) => {
      const [node] = await tx.$queryRaw<Node[]>`SELECT * FROM "Node" WHERE id = ${nodeId}::uuid FOR UPDATE`;
      if (!node) throw notFound("NodeNotFound", nodeId);
      if (node.state !== "off") return false;
      await tx.node.update({ where: { id: nodeId }, data: { state: "waking", stateReason: reason } });
      await this.audit.record(tx, { actor, action: "node.power-on", targetType: "node", targetId: nodeId, details: { name: node.name, reason } });
      this.logger.log(`node ${node.name}: off -> waking (${reason})`);
      return true;
    });
    if (woken) await this.publish();
    return woken;
  }

  /** A waking node's agent reported powered on: the node is active and takes VMs. */
  async wokeUp(nodeId: string): Promise<void> {
    const changed = await this.prisma.$transaction(async (tx) => {
      const moved = await tx.node.updateMany({ where: { id: nodeId, state: "waking" }, data: { state: "active", stateReason: "powered on" } });
      if (moved.count) await this.audit.record(tx, { actor: "system:power", action: "node.woke", targetType: "node", targetId: nodeId });
      return moved.count > 0;
    });
    if (changed) {
      this.logger.log(`node ${nodeId}: waking -> active (its agent reports powered on)`);
      await this.publish();
    }
  }

  /** Rewrite the mirror of off and waking nodes from PostgreSQL, in one Redis transaction. */
  async publish(): Promise<void> {
    const nodes = await this.prisma.node.findMany({ where: { state: { in: ["off", "waking"] } }, select: { id: true, state: true } });
    const key = this.redis.key(...POWER_MIRROR);
    const multi = this.redis.client.multi().del(key);
    if (nodes.length) multi.hset(key, Object.fromEntries(nodes.map((n) => [n.id, n.state])));
    await multi.exec();
  }
}

