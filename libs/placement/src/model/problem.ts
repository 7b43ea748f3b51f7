import type { Topology } from "../topology/topology";
import type { Host } from "./host";
import type { Vm } from "./vm";

/** Traffic between two VMs, in any consistent unit (e.g. Mbit/s); the cost of a row is rate x distance. */
export type TrafficRow = readonly [vmA: string, vmB: string, rate: number];

/**
 * Nova-style server groups: an `affinity` group's VMs must share one host; an `anti-affinity` group's VMs must
 * all be on different hosts.
 */
export interface PlacementGroup {
  readonly id: string;
  readonly policy: "affinity" | "anti-affinity";
  readonly vmIds: readonly string[];
}

/** A topology given as data (see registry.ts for the kinds). */
export type TopologySpec =
  | { readonly kind: "matrix"; readonly distance: readonly (readonly number[])[] }
  | { readonly kind: "labels"; readonly rackLabel?: string; readonly podLabel?: string; readonly costs?: readonly [number, number, number] }
  | { readonly kind: "tree"; readonly fanout: readonly number[] }
  | { readonly kind: "three-tier"; readonly hostsPerRack: number; readonly racksPerPod: number; readonly pods: number }
  | { readonly kind: "fat-tree"; readonly k: number }
  | { readonly kind: "vl2"; readonly dA: number; readonly dI: number; readonly hostsPerTor: number }
  | { readonly kind: "bcube"; readonly n: number; readonly k: number }
  | { readonly kind: "leaf-spine"; readonly leaves: number; readonly hostsPerLeaf: number; readonly pods?: number };

/**
 * A cluster to place: hosts, VMs, traffic, groups, and optionally where the VMs run now. Host i of `hosts` sits
 * at position i of the topology (which may have more positions than hosts: the extra positions are empty).
 */
export interface PlacementProblem {
  readonly hosts: readonly Host[];
  readonly vms: readonly Vm[];
  readonly traffic?: readonly TrafficRow[];
  /** Default: { kind: "labels" } (rack/pod labels, 1/3/5). */
  readonly topology?: TopologySpec | Topology;
  readonly groups?: readonly PlacementGroup[];
  /** vmId -> hostId for the VMs that run now; VMs not listed are new. */
  readonly current?: Readonly<Record<string, string>>;
}
