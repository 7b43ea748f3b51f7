import { FerryError } from "../common/errors";
import { doesNotFit } from "../nodes/capacity";

export interface AdmissionInput {
  vm: { name: string; state: string; nodeId: string | null; cpu: number; memMiB: number; node: { name: string; state: string } | null };
  target: { id: string; name: string; state: string; cpu: number; memMiB: number };
  /** The VM's migration already under way, if any. */
  active: { id: string } | null;
  /** What the target has promised already: its VMs and the migrations on their way to it. */
  used: { cpu: number; memMiB: number };
}

/**
 * Whether a migration may be admitted, checked in this order (the first reason wins, so an answer is stable):
 * one active migration per VM; only a running VM on a live node moves; never to its own node; only an active
 * target takes new VMs; and the target must have room net of what it has promised. Null when admitted.
 */
export function admissionProblem({ vm, target, active, used }: AdmissionInput): FerryError | null {
  if (active) return new FerryError("MigrationInProgress", `VM ${vm.name} already has an active migration ${active.id}`, { migrationId: active.id });
  if (vm.state !== "running" || !vm.node) return new FerryError("VmNotMigratable", `VM ${vm.name} is ${vm.state}; only a running VM can be live-migrated`);
  if (vm.nodeId === target.id) return new FerryError("VmNotMigratable", `VM ${vm.name} is already on node ${target.name}`);
  if (vm.node.state === "failed" || vm.node.state === "off") {
    return new FerryError("VmNotMigratable", `VM ${vm.name} is on node ${vm.node.name}, which is ${vm.node.state}`);
  }
  if (target.state !== "active") return new FerryError("NodeNotSchedulable", `node ${target.name} is ${target.state} and takes no new VMs`, { state: target.state });
  const full = doesNotFit(target, used, vm);
  return full ? new FerryError("CapacityExceeded", full, { nodeId: target.id }) : null;
}
