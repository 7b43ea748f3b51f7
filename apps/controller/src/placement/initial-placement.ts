import type { NodeAllocation } from "../nodes/node.view";
import { doesNotFit } from "../nodes/capacity";

export interface CandidateNode {
  id: string;
  name: string;
  state: string;
  cpu: number;
  memMiB: number;
}

export type InitialPlacement =
  | { ok: true; nodeId: string; nodeName: string }
  | { ok: false; rejected: { node: string; reason: string }[] };

/**
 * Where a new VM goes: the active node with room that stays least allocated afterwards (spreading, as
 * the Kubernetes default scheduler does). Every node that is passed over is given a reason, so that an
 * operator can always ask "why not node X".
 */
export function placeNewVm(nodes: CandidateNode[], allocated: Map<string, NodeAllocation>, demand: NodeAllocation): InitialPlacement {
  const rejected: { node: string; reason: string }[] = [];
  let best: { node: CandidateNode; score: number } | null = null;
  for (const node of nodes) {
    if (node.state !== "active") {
      rejected.push({ node: node.name, reason: `node ${node.name} is ${node.state}` });
      continue;
    }
    const used = allocated.get(node.id) ?? { cpu: 0, memMiB: 0 };
    const reason = doesNotFit(node, used, demand);
    if (reason) {
      rejected.push({ node: node.name, reason });
      continue;
    }
    const score = 1 - ((used.cpu + demand.cpu) / node.cpu + (used.memMiB + demand.memMiB) / node.memMiB) / 2;
    if (!best || score > best.score || (score === best.score && node.name < best.node.name)) best = { node, score };
  }
  return best ? { ok: true, nodeId: best.node.id, nodeName: best.node.name } : { ok: false, rejected };
}
