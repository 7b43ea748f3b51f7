import { createHash } from "node:crypto";
import type { Tx } from "../database/prisma.service";
import { ACTIVE_MIGRATION_STATES } from "../nodes/capacity";

/**
 * Fingerprint of what a plan depends on: where its VMs run and in what state, the state of its nodes, who
 * else lives on those nodes, and the migrations under way that touch any of them. Only a change in that
 * scope makes a plan stale; a VM created or moved elsewhere in the cluster does not (Nomad re-checks a
 * plan against the nodes it touches, not the whole state).
 */
export async function scopeVersion(tx: Tx, vmIds: readonly string[], nodeIds: readonly string[]): Promise<string> {
  const [vms, nodes, residents, migrations] = await Promise.all([
    tx.vm.findMany({ where: { id: { in: [...vmIds] } }, select: { id: true, nodeId: true, state: true }, orderBy: { id: "asc" } }),
    tx.node.findMany({ where: { id: { in: [...nodeIds] } }, select: { id: true, state: true }, orderBy: { id: "asc" } }),
    tx.vm.findMany({ where: { nodeId: { in: [...nodeIds] } }, select: { id: true, nodeId: true, cpu: true, memMiB: true }, orderBy: { id: "asc" } }),
    tx.migration.findMany({
      where: {
        state: { in: [...ACTIVE_MIGRATION_STATES] },
        OR: [{ vmId: { in: [...vmIds] } }, { sourceNodeId: { in: [...nodeIds] } }, { targetNodeId: { in: [...nodeIds] } }],
      },
      select: { id: true },
      orderBy: { id: "asc" },
    }),
  ]);
  return createHash("sha256")
    .update(vms.map((v) => `${v.id}@${v.nodeId}:${v.state}`).join(","))
    .update("|")
    .update(nodes.map((n) => `${n.id}:${n.state}`).join(","))
    .update("|")
    .update(residents.map((v) => `${v.id}@${v.nodeId}:${v.cpu}:${v.memMiB}`).join(","))
    .update("|")
    .update(migrations.map((m) => m.id).join(","))
    .digest("hex")
    .slice(0, 16);
}
