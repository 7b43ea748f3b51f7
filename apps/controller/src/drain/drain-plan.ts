import { placeVm, type TrafficRow } from "@ferry/placement";
import { FerryError } from "../common/errors";
import type { ClusterSnapshot } from "../placement/cluster-snapshot";
import { admitTechnique, type MigratingVm } from "../migrations/technique-choice";
import type { BlockedVm, DraftMove, PlanDraft } from "../plans/plan-draft";

export interface DrainedVm extends MigratingVm {
  id: string;
  cpu: number;
}

/**
 * Empties one node: each of its VMs, largest first (they are the hardest to fit), goes where the placement
 * engine would put it as a new VM with its current peers (every filter on every node, then traffic and
 * balance scores), with the VMs already placed counted on their targets. A VM blocks, with the reason, when
 * no node takes it or when no migration technique is predicted to meet its SLA on the link. The node must
 * not be active in `snapshot` (draining, or marked so by the caller), so the engine sends nothing to it.
 */
export function drainDraft(
  snapshot: ClusterSnapshot,
  nodeId: string,
  vms: readonly DrainedVm[],
  link: { bandwidthMbps: number; rttMs: number },
  reason: string,
  kind: "drain" | "evacuate" = "drain",
): PlanDraft {
  const moves: DraftMove[] = [];
  const blocked: BlockedVm[] = [];
  let state = { vms: [...snapshot.vms], current: { ...snapshot.current } };
  for (const vm of [...vms].sort((a, b) => b.memMiB - a.memMiB || b.cpu - a.cpu || a.id.localeCompare(b.id))) {
    try {
      admitTechnique(vm, link, { acceptSlaBreach: false });
    } catch (e) {
      if (!(e instanceof FerryError)) throw e;
      blocked.push({ vmId: vm.id, reason: e.message });
      continue;
    }
    const { [vm.id]: _here, ...others } = state.current;
    const traffic: TrafficRow[] = snapshot.traffic.filter(([a, b]) => (a === vm.id && others[b]) || (b === vm.id && others[a]) || (others[a] && others[b]));
    const result = placeVm({
      hosts: snapshot.hosts,
      vms: state.vms.filter((v) => v.id !== vm.id),
      current: others,
      vm: { id: vm.id, cpu: vm.cpu, memMiB: vm.memMiB },
      traffic,
    });
    const rejected = result.hosts
      .filter((h) => !h.feasible && h.hostId !== nodeId)
      .map((h) => ({ nodeId: h.hostId, reason: h.rejections.map((r) => `${r.filter}: ${r.reason}`).join("; ") }));
    if (!result.hostId) {
      blocked.push({ vmId: vm.id, reason: `no node takes it (${result.reason ?? "every node rejected it"})` });
      continue;
    }
    moves.push({ vmId: vm.id, fromNodeId: nodeId, toNodeId: result.hostId, reason, gain: 0, rejected });
    const stays = state.vms.some((v) => v.id === vm.id) ? state.vms : [...state.vms, { id: vm.id, cpu: vm.cpu, memMiB: vm.memMiB }];
    state = { vms: stays, current: { ...others, [vm.id]: result.hostId } };
  }
  return {
    kind,
    reason: { summary: reason, nodeId },
    moves,
    blocked,
    costBefore: 0,
    costAfter: 0,
    nodeIds: [nodeId],
  };
}
