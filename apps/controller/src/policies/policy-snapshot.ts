import { specPowerModel, type ClusterSnapshot, type HostSnapshot, type VmSnapshot } from "@ferry/policies";
import type { PolicyInput } from "./policy-input";

/** The policies library counts CPU in MIPS; a live node counts cores. One core is this many MIPS. */
export const MIPS_PER_CORE = 1000;

/** Nodes a balancing or consolidating strategy may move VMs between. */
export const STRATEGY_NODE_STATES: ReadonlySet<string> = new Set(["active"]);

/**
 * The controller's side of the policies library: the stored cluster as the library's ClusterSnapshot, the
 * same type the trace simulator builds, so the same strategy objects plan for both. Nodes that are leaving,
 * cordoned or failed are left out (their VMs are the drain's and the evacuation's business), and so are
 * their VMs. Power curves are linear between the node's idle and peak watts.
 */
export function toClusterSnapshot(input: PolicyInput): ClusterSnapshot {
  const hosts: HostSnapshot[] = input.nodes
    .filter((n) => STRATEGY_NODE_STATES.has(n.state))
    .map((n) => ({
      id: n.id,
      cores: n.cpu,
      mipsPerCore: MIPS_PER_CORE,
      memMiB: n.memMiB,
      bandwidthMbps: input.link.bandwidthMbps,
      powerModel: specPowerModel(`${n.name} linear`, Array.from({ length: 11 }, (_, i) => n.idleWatts + ((n.peakWatts - n.idleWatts) * i) / 10)),
      poweredOn: n.state !== "off",
      labels: n.labels,
    }));
  const included = new Set(hosts.map((h) => h.id));
  const nowS = input.now.getTime() / 1000;
  const vms: VmSnapshot[] = input.vms
    .filter((v) => included.has(v.nodeId))
    .sort((a, b) => (a.nodeId === b.nodeId ? a.id.localeCompare(b.id) : a.nodeId.localeCompare(b.nodeId)))
    .map((v) => ({
      id: v.id,
      hostId: v.nodeId,
      vcpus: v.cpu,
      mips: v.cpu * MIPS_PER_CORE,
      memMiB: v.memMiB,
      memDemandMiB: v.memMiB,
      bandwidthDemandMbps: 0,
      utilizationHistory: v.cpuHistory.map((u) => Math.min(1, Math.max(0, u))),
      migrating: v.state === "migrating",
      ...(v.lastMigratedAt ? { lastMigratedAtS: v.lastMigratedAt.getTime() / 1000 } : {}),
      dirtyRateMiBps: v.dirtyRateMiBps,
    }));
  const traffic = input.traffic.filter(([a, b]) => vms.some((v) => v.id === a) && vms.some((v) => v.id === b));
  return { timeS: nowS, intervalS: input.intervalS, hosts, vms, ...(traffic.length ? { traffic } : {}) };
}
