import { PlacementError } from "../errors";
import type { Topology } from "../topology/topology";
import type { Host, HostState } from "./host";
import { HOST_STATES } from "./host";
import type { PlacementGroup, TrafficRow } from "./problem";
import type { Vm } from "./vm";

/**
 * The compiled, indexed form of a placement problem that solvers and plugins work on: typed arrays instead of
 * objects, hosts and VMs by index, and VMs of an affinity group contracted into one placement *unit* (they must
 * share a host, so they move together). Everything here is immutable; the changing part is `Assignment`.
 *
 * Resources: index 0 is cpu, 1 is memMiB, then the names in `resourceNames` from index 2 on.
 */
export interface Cluster {
  readonly topology: Topology;
  readonly hostIds: readonly string[];
  readonly hostIndex: ReadonlyMap<string, number>;
  readonly hosts: readonly Host[];
  readonly resourceNames: readonly string[];
  /** Number of resources R. */
  readonly resourceCount: number;
  /** hostCapacity[h * R + r]. */
  readonly hostCapacity: Float64Array;
  /** 1 if the host takes VMs (state active). */
  readonly hostActive: Uint8Array;
  readonly hostState: readonly HostState[];
  /** Index into hypervisorNames, -1 when the host does not say. */
  readonly hostHypervisor: Int32Array;
  readonly hostIdleW: Float64Array;
  readonly hostMaxW: Float64Array;
  readonly hypervisorNames: readonly string[];

  readonly vmIds: readonly string[];
  readonly vmIndex: ReadonlyMap<string, number>;
  readonly vms: readonly Vm[];
  readonly vmUnit: Int32Array;
  /** Host the VM runs on now, -1 if new. */
  readonly vmCurrentHost: Int32Array;
  readonly vmMemMiB: Float64Array;

  readonly unitCount: number;
  /** unitDemand[u * R + r]. */
  readonly unitDemand: Float64Array;
  /** Members of unit u: unitVms[unitVmStart[u] .. unitVmStart[u + 1]). */
  readonly unitVmStart: Int32Array;
  readonly unitVms: Int32Array;
  /** Required hypervisor (index into hypervisorNames), -1 for any. */
  readonly unitHypervisor: Int32Array;
  /** Affinity group name of the unit, or undefined when it is a single VM outside any affinity group. */
  readonly unitAffinityGroup: readonly (string | undefined)[];
  /**
   * Affinity groups as units: members of group g are affinityUnits[affinityStart[g] .. affinityStart[g + 1]); the
   * groups of unit u are unitAffinity[unitAffinityStart[u] .. unitAffinityStart[u + 1]). When affinity groups are
   * contracted (the default) every group is a single unit and the affinity filter always admits.
   */
  readonly affinityGroupNames: readonly string[];
  readonly affinityStart: Int32Array;
  readonly affinityUnits: Int32Array;
  readonly unitAffinityStart: Int32Array;
  readonly unitAffinity: Int32Array;
  /** Anti-affinity groups of unit u: unitAnti[unitAntiStart[u] .. unitAntiStart[u + 1]). */
  readonly unitAntiStart: Int32Array;
  readonly unitAnti: Int32Array;
  readonly antiGroupNames: readonly string[];
  /** Where the unit runs now (the host of its first placed member), -1 if new. */
  readonly unitCurrentHost: Int32Array;

  /**
   * Traffic between units (intra-unit traffic always costs 0 and is dropped), CSR: neighbours of u are
   * adjTo[adjStart[u] .. adjStart[u + 1]). For a symmetric topology adjW is the total rate between the two units
   * and adjWIn is undefined; otherwise adjW is the rate from u to the neighbour (priced distance(host u, host v))
   * and adjWIn the rate from the neighbour to u (priced distance(host v, host u)).
   */
  readonly adjStart: Int32Array;
  readonly adjTo: Int32Array;
  readonly adjW: Float64Array;
  readonly adjWIn: Float64Array | undefined;
}

export interface ClusterInput {
  readonly hosts: readonly Host[];
  readonly vms: readonly Vm[];
  readonly traffic?: readonly TrafficRow[];
  readonly groups?: readonly PlacementGroup[];
  readonly current?: Readonly<Record<string, string>>;
}

const invalid = (message: string): PlacementError => new PlacementError("InvalidProblem", message);

function checkAmount(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalid(`${what} must be a finite number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkId(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) throw invalid(`${what} must be a non-empty string`);
  return value;
}

export interface CompileOptions {
  /**
   * Contract each affinity group into one unit (default true). One-VM placement turns it off so that the new VM
   * is a unit of its own and the affinity filter sends it to its group's host.
   */
  readonly contractAffinity?: boolean;
}

/**
 * Validates the input and builds the indexed cluster, in steps: index and validate hosts and VMs (which also
 * names the extra resources), the host arrays, the units (affinity groups contracted), the current placement,
 * then the traffic adjacency. Throws PlacementError("InvalidProblem" | "Infeasible").
 */
export function compileCluster(input: ClusterInput, topology: Topology, options: CompileOptions = {}): Cluster {
  if (input.hosts.length > topology.hostCount) {
    throw invalid(`${input.hosts.length} hosts given but the ${topology.kind} topology has only ${topology.hostCount} positions`);
  }
  const names = new Names();
  const hostIndex = indexHosts(input.hosts, names);
  const vmIndex = indexVms(input.vms, names);
  const R = 2 + names.extra.size;
  const hostArrays = compileHosts(input.hosts, R, names);
  const units = compileUnits(input.vms, input.groups ?? [], vmIndex, R, names, options.contractAffinity ?? true);
  const current = compileCurrent(input.current ?? {}, vmIndex, hostIndex, units);
  const traffic = compileTraffic(input.traffic ?? [], vmIndex, units.vmUnit, units.unitCount, topology.symmetric);
  return {
    topology,
    hostIds: input.hosts.map((h) => h.id),
    hostIndex,
    hosts: input.hosts,
    resourceNames: ["cpu", "memMiB", ...names.extra.keys()],
    resourceCount: R,
    ...hostArrays,
    hypervisorNames: [...names.hypervisors.keys()],
    vmIds: input.vms.map((v) => v.id),
    vmIndex,
    vms: input.vms,
    vmMemMiB: Float64Array.from(input.vms, (v) => v.memMiB),
    ...units,
    ...current,
    ...traffic,
  };
}

/** Names met while compiling: extra resources (index from 2 on) and hypervisor kinds (index from 0). */
class Names {
  readonly extra = new Map<string, number>();
  readonly hypervisors = new Map<string, number>();

  resource(name: string): void {
    if (!this.extra.has(name)) this.extra.set(name, 2 + this.extra.size);
  }

  hypervisor(name: string): number {
    let id = this.hypervisors.get(name);
    if (id === undefined) this.hypervisors.set(name, (id = this.hypervisors.size));
    return id;
  }
}

function indexHosts(hosts: readonly Host[], names: Names): Map<string, number> {
  const hostIndex = new Map<string, number>();
  hosts.forEach((host, h) => {
    const id = checkId(host.id, `hosts[${h}].id`);
    if (hostIndex.has(id)) throw invalid(`host id "${id}" appears twice`);
    hostIndex.set(id, h);
    checkAmount(host.cpu, `host "${id}" cpu`);
    checkAmount(host.memMiB, `host "${id}" memMiB`);
    if (host.state !== undefined && !HOST_STATES.includes(host.state)) {
      throw invalid(`host "${id}" state must be one of ${HOST_STATES.join(", ")}, got ${JSON.stringify(host.state)}`);
    }
    for (const [name, amount] of Object.entries(host.resources ?? {})) {
      checkAmount(amount, `host "${id}" resource ${name}`);
      names.resource(name);
    }
    if (host.powerIdleW !== undefined) checkAmount(host.powerIdleW, `host "${id}" powerIdleW`);
    if (host.powerMaxW !== undefined) checkAmount(host.powerMaxW, `host "${id}" powerMaxW`);
  });
  return hostIndex;
}

function indexVms(vms: readonly Vm[], names: Names): Map<string, number> {
  const vmIndex = new Map<string, number>();
  vms.forEach((vm, v) => {
    const id = checkId(vm.id, `vms[${v}].id`);
    if (vmIndex.has(id)) throw invalid(`vm id "${id}" appears twice`);
    vmIndex.set(id, v);
    checkAmount(vm.cpu, `vm "${id}" cpu`);
    checkAmount(vm.memMiB, `vm "${id}" memMiB`);
    for (const [name, amount] of Object.entries(vm.resources ?? {})) {
      checkAmount(amount, `vm "${id}" resource ${name}`);
      names.resource(name);
    }
  });
  return vmIndex;
}

type HostArrays = Pick<Cluster, "hostCapacity" | "hostActive" | "hostState" | "hostHypervisor" | "hostIdleW" | "hostMaxW">;

function compileHosts(hosts: readonly Host[], R: number, names: Names): HostArrays {
  const H = hosts.length;
  const hostCapacity = new Float64Array(H * R);
  const hostActive = new Uint8Array(H);
  const hostHypervisor = new Int32Array(H).fill(-1);
  const hostIdleW = new Float64Array(H);
  const hostMaxW = new Float64Array(H);
  hosts.forEach((host, h) => {
    hostCapacity[h * R] = host.cpu;
    hostCapacity[h * R + 1] = host.memMiB;
    for (const [name, amount] of Object.entries(host.resources ?? {})) hostCapacity[h * R + names.extra.get(name)!] = amount;
    hostActive[h] = (host.state ?? "active") === "active" ? 1 : 0;
    if (host.hypervisor !== undefined) hostHypervisor[h] = names.hypervisor(host.hypervisor);
    hostIdleW[h] = host.powerIdleW ?? 100;
    hostMaxW[h] = Math.max(hostIdleW[h], host.powerMaxW ?? 250);
  });
  return { hostCapacity, hostActive, hostState: hosts.map((h) => h.state ?? "active"), hostHypervisor, hostIdleW, hostMaxW };
}

type Units = Pick<
  Cluster,
  | "vmUnit"
  | "unitCount"
  | "unitDemand"
  | "unitVmStart"
  | "unitVms"
  | "unitHypervisor"
  | "unitAffinityGroup"
  | "affinityGroupNames"
  | "affinityStart"
  | "affinityUnits"
  | "unitAffinityStart"
  | "unitAffinity"
  | "unitAntiStart"
  | "unitAnti"
  | "antiGroupNames"
>;

/** Groups, and the units they make: affinity groups contracted (union-find, a VM may sit in two), demands summed. */
function compileUnits(vms: readonly Vm[], groups: readonly PlacementGroup[], vmIndex: ReadonlyMap<string, number>, R: number, names: Names, contract: boolean): Units {
  const V = vms.length;
  const parent = Int32Array.from({ length: V }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const groupIds = new Set<string>();
  const affinityName = new Map<number, string>();
  const affinityNames: string[] = [];
  const affinityMembers: number[][] = [];
  const antiNames: string[] = [];
  const antiMembers: number[][] = [];
  groups.forEach((group, g) => {
    const gid = checkId(group.id, `groups[${g}].id`);
    if (groupIds.has(gid)) throw invalid(`group id "${gid}" appears twice`);
    groupIds.add(gid);
    if (group.policy !== "affinity" && group.policy !== "anti-affinity") {
      throw invalid(`group "${gid}" policy must be "affinity" or "anti-affinity", got ${JSON.stringify(group.policy)}`);
    }
    if (!Array.isArray(group.vmIds)) throw invalid(`group "${gid}" vmIds must be an array of vm ids`);
    const members = group.vmIds.map((id) => {
      const v = vmIndex.get(id);
      if (v === undefined) throw invalid(`group "${gid}" names unknown vm "${id}"`);
      return v;
    });
    if (group.policy === "affinity") {
      if (contract) for (const v of members) parent[find(v)] = find(members[0]);
      for (const v of members) affinityName.set(v, gid);
      affinityNames.push(gid);
      affinityMembers.push([...new Set(members)]);
    } else {
      antiNames.push(gid);
      antiMembers.push([...new Set(members)]);
    }
  });
  const unitOfRoot = new Int32Array(V).fill(-1);
  const vmUnit = new Int32Array(V);
  let unitCount = 0;
  for (let v = 0; v < V; v++) {
    const root = find(v);
    if (unitOfRoot[root] === -1) unitOfRoot[root] = unitCount++;
    vmUnit[v] = unitOfRoot[root];
  }
  const unitVmStart = new Int32Array(unitCount + 1);
  for (let v = 0; v < V; v++) unitVmStart[vmUnit[v] + 1]++;
  for (let u = 0; u < unitCount; u++) unitVmStart[u + 1] += unitVmStart[u];
  const unitVms = new Int32Array(V);
  {
    const fill = unitVmStart.slice(0, unitCount);
    for (let v = 0; v < V; v++) unitVms[fill[vmUnit[v]]++] = v;
  }
  const unitDemand = new Float64Array(unitCount * R);
  const unitHypervisor = new Int32Array(unitCount).fill(-1);
  const unitAffinityGroup: (string | undefined)[] = new Array(unitCount).fill(undefined);
  vms.forEach((vm, v) => {
    const u = vmUnit[v];
    unitDemand[u * R] += vm.cpu;
    unitDemand[u * R + 1] += vm.memMiB;
    for (const [name, amount] of Object.entries(vm.resources ?? {})) unitDemand[u * R + names.extra.get(name)!] += amount;
    if (vm.hypervisor !== undefined) {
      const k = names.hypervisor(vm.hypervisor);
      if (unitHypervisor[u] !== -1 && unitHypervisor[u] !== k) {
        throw new PlacementError(
          "Infeasible",
          `affinity group "${affinityName.get(v)}" mixes hypervisor kinds ${[...names.hypervisors.keys()][unitHypervisor[u]]} and ${vm.hypervisor}`,
        );
      }
      unitHypervisor[u] = k;
    }
    if (affinityName.has(v)) unitAffinityGroup[u] = affinityName.get(v);
  });
  const affinity = csrOfGroups(affinityMembers.map((members) => [...new Set(members.map((v) => vmUnit[v]))]), unitCount);

  // Anti-affinity groups per unit; two members of one unit in one anti-affinity group can never be placed.
  const antiPerUnit: number[][] = Array.from({ length: unitCount }, () => []);
  antiMembers.forEach((members, g) => {
    const seen = new Set<number>();
    for (const v of members) {
      const u = vmUnit[v];
      if (seen.has(u)) {
        throw new PlacementError(
          "Infeasible",
          `anti-affinity group "${antiNames[g]}" and affinity group "${unitAffinityGroup[u]}" both hold vm "${vms[v].id}" and another member: they cannot share a host and be apart`,
        );
      }
      seen.add(u);
      antiPerUnit[u].push(g);
    }
  });
  const unitAntiStart = new Int32Array(unitCount + 1);
  antiPerUnit.forEach((gs, u) => (unitAntiStart[u + 1] = unitAntiStart[u] + gs.length));
  return {
    vmUnit,
    unitCount,
    unitDemand,
    unitVmStart,
    unitVms,
    unitHypervisor,
    unitAffinityGroup,
    affinityGroupNames: affinityNames,
    affinityStart: affinity.groupStart,
    affinityUnits: affinity.groupUnits,
    unitAffinityStart: affinity.unitStart,
    unitAffinity: affinity.unitGroups,
    unitAntiStart,
    unitAnti: Int32Array.from(antiPerUnit.flat()),
    antiGroupNames: antiNames,
  };
}

/** Where each VM and unit runs now (a unit: the host of its first placed member), -1 if new. */
function compileCurrent(
  current: Readonly<Record<string, string>>,
  vmIndex: ReadonlyMap<string, number>,
  hostIndex: ReadonlyMap<string, number>,
  units: Pick<Units, "unitCount" | "unitVmStart" | "unitVms" | "vmUnit">,
): Pick<Cluster, "vmCurrentHost" | "unitCurrentHost"> {
  const vmCurrentHost = new Int32Array(units.vmUnit.length).fill(-1);
  const unitCurrentHost = new Int32Array(units.unitCount).fill(-1);
  for (const [vmId, hostId] of Object.entries(current)) {
    const v = vmIndex.get(vmId);
    if (v === undefined) throw invalid(`current placement names unknown vm "${vmId}"`);
    const h = typeof hostId === "string" ? hostIndex.get(hostId) : undefined;
    if (h === undefined) throw invalid(`current placement puts vm "${vmId}" on unknown host ${JSON.stringify(hostId)}`);
    vmCurrentHost[v] = h;
  }
  for (let u = 0; u < units.unitCount; u++) {
    for (let k = units.unitVmStart[u]; k < units.unitVmStart[u + 1]; k++) {
      if (vmCurrentHost[units.unitVms[k]] !== -1) {
        unitCurrentHost[u] = vmCurrentHost[units.unitVms[k]];
        break;
      }
    }
  }
  return { vmCurrentHost, unitCurrentHost };
}

/** Traffic between units as CSR, aggregated per unordered (or, for an asymmetric topology, ordered) unit pair. */
function compileTraffic(
  traffic: readonly TrafficRow[],
  vmIndex: ReadonlyMap<string, number>,
  vmUnit: Int32Array,
  unitCount: number,
  symmetric: boolean,
): Pick<Cluster, "adjStart" | "adjTo" | "adjW" | "adjWIn"> {
  const pairs = new Map<number, number>();
  const key = (a: number, b: number): number => a * unitCount + b;
  traffic.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== 3) throw invalid(`traffic[${i}] must be [vmA, vmB, rate]`);
    const [a, b, rate] = row;
    const va = vmIndex.get(a);
    const vb = vmIndex.get(b);
    if (va === undefined) throw invalid(`traffic[${i}] names unknown vm ${JSON.stringify(a)}`);
    if (vb === undefined) throw invalid(`traffic[${i}] names unknown vm ${JSON.stringify(b)}`);
    checkAmount(rate, `traffic[${i}] rate`);
    let ua = vmUnit[va];
    let ub = vmUnit[vb];
    if (ua === ub || rate === 0) return;
    if (symmetric && ua > ub) [ua, ub] = [ub, ua];
    pairs.set(key(ua, ub), (pairs.get(key(ua, ub)) ?? 0) + rate);
  });
  const degree = new Int32Array(unitCount + 1);
  const adjacency = new Map<number, [number, number]>(); // unordered pair -> [rate a->b, rate b->a]
  for (const [k, rate] of pairs) {
    const a = Math.floor(k / unitCount);
    const b = k % unitCount;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const uk = key(lo, hi);
    let entry = adjacency.get(uk);
    if (!entry) {
      adjacency.set(uk, (entry = [0, 0]));
      degree[lo + 1]++;
      degree[hi + 1]++;
    }
    if (a === lo) entry[0] += rate;
    else entry[1] += rate;
  }
  const adjStart = new Int32Array(unitCount + 1);
  for (let u = 0; u < unitCount; u++) adjStart[u + 1] = adjStart[u] + degree[u + 1];
  const E = adjStart[unitCount];
  const adjTo = new Int32Array(E);
  const adjW = new Float64Array(E);
  const adjWIn = symmetric ? undefined : new Float64Array(E);
  const fill = adjStart.slice(0, unitCount);
  const sortedKeys = [...adjacency.keys()].sort((x, y) => x - y);
  for (const uk of sortedKeys) {
    const [ab, ba] = adjacency.get(uk)!;
    const lo = Math.floor(uk / unitCount);
    const hi = uk % unitCount;
    const i = fill[lo]++;
    const j = fill[hi]++;
    adjTo[i] = hi;
    adjTo[j] = lo;
    if (adjWIn) {
      adjW[i] = ab;
      adjWIn[i] = ba;
      adjW[j] = ba;
      adjWIn[j] = ab;
    } else {
      adjW[i] = ab + ba;
      adjW[j] = ab + ba;
    }
  }
  return { adjStart, adjTo, adjW, adjWIn };
}

/** Both directions of a group membership relation: members per group and groups per unit. */
function csrOfGroups(
  members: readonly number[][],
  unitCount: number,
): { groupStart: Int32Array; groupUnits: Int32Array; unitStart: Int32Array; unitGroups: Int32Array } {
  const groupStart = new Int32Array(members.length + 1);
  members.forEach((m, g) => (groupStart[g + 1] = groupStart[g] + m.length));
  const groupUnits = Int32Array.from(members.flat());
  const perUnit: number[][] = Array.from({ length: unitCount }, () => []);
  members.forEach((m, g) => m.forEach((u) => perUnit[u].push(g)));
  const unitStart = new Int32Array(unitCount + 1);
  perUnit.forEach((gs, u) => (unitStart[u + 1] = unitStart[u] + gs.length));
  return { groupStart, groupUnits, unitStart, unitGroups: Int32Array.from(perUnit.flat()) };
}

/** Display name of a unit: its affinity group, or its single VM's id. */
export function unitName(c: Cluster, u: number): string {
  const size = c.unitVmStart[u + 1] - c.unitVmStart[u];
  return size > 1 ? `affinity group "${c.unitAffinityGroup[u]}"` : `vm "${c.vmIds[c.unitVms[c.unitVmStart[u]]]}"`;
}
