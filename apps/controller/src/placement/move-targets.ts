import { placeVm, type HostVerdict, type Vm } from "@ferry/placement";
import type { ClusterSnapshot } from "./cluster-snapshot";

/**
 * Where a running VM could go if it moved now, best first: the placement engine's verdict on every node for
 * the VM as if it were new (every filter, then traffic to its peers and balance), with the VMs placed as in
 * `current`. Only feasible nodes other than the one it is on are kept, ordered by score, then by id so a run
 * can be replayed. Callers add their own conditions (a threshold, a node state) by picking the first that
 * meets them.
 */
export function moveTargets(snapshot: Pick<ClusterSnapshot, "hosts" | "vms" | "traffic">, current: Readonly<Record<string, string>>, vm: Vm): HostVerdict[] {
  const { [vm.id]: here, ...others } = current;
  const result = placeVm({
    hosts: snapshot.hosts,
    vms: snapshot.vms.filter((v) => v.id !== vm.id),
    current: others,
    vm: { id: vm.id, cpu: vm.cpu, memMiB: vm.memMiB },
    traffic: snapshot.traffic.filter(([a, b]) => (a === vm.id || others[a]) && (b === vm.id || others[b])),
  });
  return result.hosts.filter((h) => h.feasible && h.hostId !== here).sort((a, b) => b.score - a.score || a.hostId.localeCompare(b.hostId));
}
