import type { Tx } from "../database/prisma.service";
import type { NodeAllocation } from "./node.view";

const ACTIVE_MIGRATION_STATES = ["requested", "queued", "running"] as const;

/**
 * Serialises every change that consumes capacity (VM creation, migration requests) for the rest of the
 * transaction, so two requests can never both take the last free slot of a node.
 */
export async function lockCapacity(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('ferry:capacity'))`;
}

/**
 * What each node has promised: its VMs, plus the VMs on their way to it (an active migration reserves
 * the target's resources from the moment it is requested until it ends).
 */
export async function allocations(tx: Tx, nodeIds?: string[]): Promise<Map<string, NodeAllocation>> {
  const [vms, incoming] = await Promise.all([
    tx.vm.groupBy({
      by: ["nodeId"],
      where: nodeIds ? { nodeId: { in: nodeIds } } : { nodeId: { not: null } },
      _sum: { cpu: true, memMiB: true },
    }),
    tx.migration.groupBy({
      by: ["targetNodeId"],
      where: { state: { in: [...ACTIVE_MIGRATION_STATES] }, ...(nodeIds ? { targetNodeId: { in: nodeIds } } : {}) },
      _sum: { cpu: true, memMiB: true },
    }),
  ]);
  const out = new Map<string, NodeAllocation>();
  const add = (id: string | null, cpu: number | null, memMiB: number | null) => {
    if (!id) return;
    const a = out.get(id) ?? { cpu: 0, memMiB: 0 };
    out.set(id, { cpu: a.cpu + (cpu ?? 0), memMiB: a.memMiB + (memMiB ?? 0) });
  };
  for (const row of vms) add(row.nodeId, row._sum.cpu, row._sum.memMiB);
  for (const row of incoming) add(row.targetNodeId, row._sum.cpu, row._sum.memMiB);
  return out;
}

/** Why a VM of this size does not fit on a node, or null when it fits. */
export function doesNotFit(
  node: { name: string; cpu: number; memMiB: number },
  allocated: NodeAllocation,
  demand: NodeAllocation,
): string | null {
  const freeCpu = node.cpu - allocated.cpu;
  const freeMem = node.memMiB - allocated.memMiB;
  const problems: string[] = [];
  if (demand.cpu > freeCpu) problems.push(`${freeCpu} cpu free, ${demand.cpu} needed`);
  if (demand.memMiB > freeMem) problems.push(`${freeMem} MiB free, ${demand.memMiB} MiB needed`);
  return problems.length ? `node ${node.name} has ${problems.join(" and ")}` : null;
}

export { ACTIVE_MIGRATION_STATES };
