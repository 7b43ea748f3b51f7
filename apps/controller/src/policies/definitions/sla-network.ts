import { labelTopology } from "@ferry/placement";
import { DEFAULT_LINKS, LINK_LABELS } from "@ferry/scheduler";
import { z } from "zod";
import { moveTargets } from "../../placement/move-targets";
import type { DraftMove } from "../../plans/plan-draft";
import type { LivePolicy } from "../live-policy";
import type { PolicyNode, PolicyVm } from "../policy-input";

const params = z
  .object({
    /** Spare bandwidth is measured over this window (the node's average traffic), never one sample. */
    windowS: z.number().int().min(10).max(3600).default(300),
    /** A target must leave this much more than the VM's minimum (hysteresis: a fixed VM does not breach again at once). */
    bandwidthHeadroom: z.number().min(1).max(3).default(1.2),
    maxMoves: z.number().int().min(1).max(100).default(10),
    holdS: z.number().int().min(0).max(7 * 86_400).default(1800),
    reversalS: z.number().int().min(0).max(7 * 86_400).default(6 * 3600),
  })
  .strict();
type SlaNetworkParams = z.infer<typeof params>;

interface Breach {
  vm: PolicyVm;
  peer: PolicyVm;
  what: string;
}

/** Bandwidth a node's uplink has to spare over the window: its capacity less the larger of what it sent and received. */
function spareMbps(n: PolicyNode): number {
  const uplink = Number(n.labels[LINK_LABELS.hostUplinkMbps] ?? DEFAULT_LINKS.hostUplinkMbps);
  return Math.max(0, uplink - Math.max(n.netTxMbps ?? 0, n.netRxMbps ?? 0));
}

/**
 * Holds VMs to their network thresholds toward named peers: the largest network distance (0 same node, 1 same
 * rack, 3 same pod, 5 elsewhere, from the nodes' labels) and the least spare bandwidth between them (the
 * tighter of the two nodes' uplinks, less their average traffic over the window; none needed on one node).
 * For each breach it moves the VM to a node that meets every threshold toward all its peers, with headroom;
 * when no node does, it moves the peer next to the VM instead. Targets are the placement engine's best among
 * the nodes that qualify.
 */
export const slaNetwork: LivePolicy<SlaNetworkParams> = {
  name: "sla-network",
  description: "moves a VM, or its peer, when the network distance or spare bandwidth between them breaks the VM's thresholds",
  defaults: { mode: "auto", intervalS: 120 },
  params,
  window: (p) => ({ intervalS: p.windowS, points: 1 }),
  propose(input, p) {
    const nodes = new Map(input.nodes.map((n) => [n.id, n]));
    const hosts = input.placement.hosts;
    const topology = labelTopology(hosts);
    const index = new Map(hosts.map((h, i) => [h.id, i]));
    const distance = (a: string, b: string) => (a === b ? 0 : index.has(a) && index.has(b) ? topology.distance(index.get(a)!, index.get(b)!) : Infinity);
    const bandwidth = (a: string, b: string) => (a === b ? Infinity : Math.min(spareMbps(nodes.get(a)!), spareMbps(nodes.get(b)!)));
    const byId = new Map(input.vms.map((v) => [v.id, v]));
    const where = new Map(input.vms.map((v) => [v.id, v.nodeId]));
    const meets = (vm: PolicyVm, node: string, peerNode: string, headroom: number) =>
      (vm.slaNetwork!.maxDistance === undefined || distance(node, peerNode) <= vm.slaNetwork!.maxDistance) &&
      (vm.slaNetwork!.minBandwidthMbps === undefined || bandwidth(node, peerNode) >= vm.slaNetwork!.minBandwidthMbps * headroom);

    const breaches: Breach[] = [];
    for (const vm of input.vms) {
      if (!vm.slaNetwork || vm.state !== "running") continue;
      for (const peerId of vm.slaNetwork.peers) {
        const peer = byId.get(peerId);
        if (!peer || !nodes.has(vm.nodeId) || !nodes.has(peer.nodeId)) continue;
        if (meets(vm, vm.nodeId, peer.nodeId, 1)) continue;
        breaches.push({ vm, peer, what: `distance ${distance(vm.nodeId, peer.nodeId)}, spare ${Math.round(bandwidth(vm.nodeId, peer.nodeId))} Mbit/s` });
      }
    }
    if (!breaches.length) return { none: "every VM meets its network thresholds" };

    const moves: DraftMove[] = [];
    const moved = new Set<string>();
    let current = { ...input.placement.current };
    const best = (vm: PolicyVm, ok: (node: string) => boolean): string | null =>
      moveTargets(input.placement, current, vm).find((h) => nodes.get(h.hostId)?.state === "active" && ok(h.hostId))?.hostId ?? null;
    for (const b of breaches) {
      if (moves.length >= p.maxMoves || moved.has(b.vm.id) || moved.has(b.peer.id)) continue;
      const peersOk = (node: string) => b.vm.slaNetwork!.peers.every((id) => !byId.has(id) || meets(b.vm, node, where.get(id)!, p.bandwidthHeadroom));
      let vm = b.vm;
      let to = best(b.vm, peersOk);
      if (!to) {
        vm = b.peer;
        to = best(b.peer, (node) => meets(b.vm, where.get(b.vm.id)!, node, p.bandwidthHeadroom));
      }
      if (!to) continue;
      moves.push({
        vmId: vm.id,
        fromNodeId: where.get(vm.id)!,
        toNodeId: to,
        reason: `${b.vm.name} -> ${b.peer.name}: ${b.what} breaks ${describe(b.vm)}; ${vm === b.vm ? "the VM moves" : "no node meets it for the VM, so its peer moves"}`,
        gain: 0,
      });
      moved.add(vm.id);
      where.set(vm.id, to);
      current = { ...current, [vm.id]: to };
    }
    if (!moves.length) return { none: `${breaches.length} breach(es), but no node meets the thresholds` };
    return {
      draft: {
        kind: "sla-network",
        reason: {
          summary: `${breaches.length} network threshold breach(es) over the last ${p.windowS} s`,
          metric: "network-distance-and-bandwidth",
          windowS: p.windowS,
          breaches: breaches.map((b) => ({ vmId: b.vm.id, peerId: b.peer.id, observed: b.what, thresholds: b.vm.slaNetwork })),
        },
        moves,
        costBefore: 0,
        costAfter: 0,
        params: p,
      },
    };
  },
};

function describe(vm: PolicyVm): string {
  const t = vm.slaNetwork!;
  return [t.maxDistance !== undefined ? `max distance ${t.maxDistance}` : "", t.minBandwidthMbps !== undefined ? `min ${t.minBandwidthMbps} Mbit/s` : ""].filter(Boolean).join(" and ");
}

