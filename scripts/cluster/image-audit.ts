/**
 * The end-of-run check of a tcp-mode cluster's guest images, made on the agents' data directories once the
 * agents have stopped: every VM's image is in the vms/ directory of the node the controller records it on and in
 * no other, its redo journal is there, the image hashes to the deterministic digest of the journal's
 * (seed, writes), and that write count is no lower than any the VM showed during the run. Whatever else is left (an image of no known VM, incoming files) is a stray.
 */
import type { LocalitySpec } from "@ferry/migration";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expectedImageDigest } from "../../apps/node-agent/src/guest/expected-image";
import { GuestImage } from "../../apps/node-agent/src/guest/guest-image";
import { GuestJournal } from "../../apps/node-agent/src/guest/guest-journal";

export interface RecordedVm {
  id: string;
  name: string;
  memMiB: number;
  /** The node the controller records it on (null: none). */
  nodeName: string | null;
}

export interface ImageAudit {
  vms: number;
  /** VMs recorded on a node whose image is there and in no other node's vms/. */
  onOneNode: number;
  digestsMatch: number;
  /** One line per broken invariant. */
  violations: string[];
  /** Files no VM accounts for (images of unknown VMs, incoming images or marks). */
  strays: string[];
}

interface Found {
  /** Node names whose vms/ holds an image of the VM, by VM id. */
  holders: Map<string, string[]>;
  strays: string[];
}

function findImages(vms: readonly RecordedVm[], nodeNames: readonly string[], dataDirOf: (node: string) => string): Found {
  const holders = new Map<string, string[]>();
  const strays: string[] = [];
  for (const node of nodeNames) {
    const vmsDir = join(dataDirOf(node), "vms");
    for (const f of existsSync(vmsDir) ? readdirSync(vmsDir) : []) {
      const id = f.replace(/\.img(\.state\.json)?$/, "");
      if (f.endsWith(".img")) holders.set(id, [...(holders.get(id) ?? []), node]);
      if (!vms.some((vm) => vm.id === id)) strays.push(join(vmsDir, f));
    }
    const incoming = join(dataDirOf(node), "incoming");
    for (const f of existsSync(incoming) ? readdirSync(incoming) : []) strays.push(join(incoming, f));
  }
  return { holders, strays };
}

/** True once every VM's image is in its node's vms/ only and no file strays: what the agents converge to. */
export function placementSettled(vms: readonly RecordedVm[], nodeNames: readonly string[], dataDirOf: (node: string) => string): boolean {
  const { holders, strays } = findImages(vms, nodeNames, dataDirOf);
  return strays.length === 0 && vms.every((vm) => vm.nodeName !== null && holders.get(vm.id)?.join() === vm.nodeName);
}

/**
 * Adds to `seen` the highest write count each VM's journal shows in any node's vms/. A guest's count only grows
 * (a migration carries it over, a restart continues it): one that went back lost the VM's memory.
 */
export function noteWrites(seen: Map<string, number>, nodeNames: readonly string[], dataDirOf: (node: string) => string): void {
  for (const node of nodeNames) {
    const vmsDir = join(dataDirOf(node), "vms");
    for (const f of existsSync(vmsDir) ? readdirSync(vmsDir) : []) {
      if (!f.endsWith(".img")) continue;
      const record = GuestJournal.read(join(vmsDir, f));
      const id = f.slice(0, -".img".length);
      if (record && record.writes > (seen.get(id) ?? 0)) seen.set(id, record.writes);
    }
  }
}

/**
 * `dataDirOf(node)`: the data directory of the agent of that node name; `seen`: the highest write count each VM
 * showed during the run (noteWrites), which its final image must have reached.
 */
export async function auditImages(
  vms: readonly RecordedVm[],
  nodeNames: readonly string[],
  dataDirOf: (node: string) => string,
  locality: LocalitySpec,
  seen: ReadonlyMap<string, number> = new Map(),
): Promise<ImageAudit> {
  const violations: string[] = [];
  const { holders, strays } = findImages(vms, nodeNames, dataDirOf);
  let onOneNode = 0;
  let digestsMatch = 0;
  for (const vm of vms) {
    const held = holders.get(vm.id) ?? [];
    if (!vm.nodeName) {
      violations.push(`${vm.name}: recorded on no node`);
      continue;
    }
    if (held.length !== 1 || held[0] !== vm.nodeName) {
      violations.push(`${vm.name}: recorded on ${vm.nodeName}, image in vms/ of [${held.join(", ")}]`);
      if (!held.includes(vm.nodeName)) continue;
    } else onOneNode++;
    const path = join(dataDirOf(vm.nodeName), "vms", `${vm.id}.img`);
    const record = GuestJournal.read(path);
    if (!record) {
      violations.push(`${vm.name}: no journal beside its image on ${vm.nodeName}`);
      continue;
    }
    const image = GuestImage.open(path, vm.memMiB);
    const digest = await image.digest().finally(() => image.close());
    const expected = await expectedImageDigest({ memMiB: vm.memMiB, seed: record.seed, writes: record.writes, locality });
    if (digest === expected) digestsMatch++;
    else violations.push(`${vm.name}: image on ${vm.nodeName} is not the one of seed ${record.seed} after ${record.writes} writes`);
    const before = seen.get(vm.id) ?? 0;
    if (record.writes < before) violations.push(`${vm.name}: lost memory, ${record.writes} writes at the end after ${before} during the run`);
  }
  return { vms: vms.length, onOneNode, digestsMatch, violations, strays };
}
