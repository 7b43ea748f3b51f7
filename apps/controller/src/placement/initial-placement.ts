import { placeVm, type HostVerdict, type TrafficRow } from "@ferry/placement";
import type { ClusterSnapshot } from "./cluster-snapshot";

export interface NewVm {
  cpu: number;
  memMiB: number;
  /** Expected traffic with VMs that already run, so the engine can put the new VM near its peers. */
  peers: { vmId: string; rateMbps: number }[];
}

/** A host verdict with the node's name, as the API shows it. */
export type NodeVerdict = HostVerdict & { node: string };

export type InitialPlacement =
  | { ok: true; nodeId: string; verdicts: NodeVerdict[] }
  | { ok: false; reason: string; verdicts: NodeVerdict[] };

const NEW_VM_ID = "new-vm";

/**
 * Where a new VM goes: the placement engine runs every filter on every node (state, capacity, hypervisor,
 * groups) and scores the feasible ones (traffic to the VM's expected peers, then balance). Every node gets a
 * verdict, so an operator can always ask "why not node X".
 */
export function placeNewVm(snapshot: ClusterSnapshot, vm: NewVm): InitialPlacement {
  const traffic: TrafficRow[] = [
    ...snapshot.traffic,
    ...vm.peers.filter((p) => snapshot.current[p.vmId]).map((p): TrafficRow => [NEW_VM_ID, p.vmId, p.rateMbps]),
  ];
  const result = placeVm({
    hosts: snapshot.hosts,
    vms: snapshot.vms,
    current: snapshot.current,
    vm: { id: NEW_VM_ID, cpu: vm.cpu, memMiB: vm.memMiB },
    traffic,
  });
  const verdicts = result.hosts.map((h) => ({ ...h, node: snapshot.nodeNames.get(h.hostId) ?? h.hostId }));
  return result.hostId ? { ok: true, nodeId: result.hostId, verdicts } : { ok: false, reason: result.reason ?? "no node fits", verdicts };
}
