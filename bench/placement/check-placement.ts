/**
 * The benchmarks' own referee: traffic cost and feasibility recomputed from a returned placement and the problem
 * alone, with none of the solver's bookkeeping, so a benchmark never prints a cost the solver merely claims.
 */
import type { PlacementProblem } from "@ferry/placement";
import { buildTopology } from "@ferry/placement";

export interface PlacementCheck {
  /** Sum over traffic rows of rate x distance between the two VMs' hosts (affinity-group rows included: 0 apart). */
  readonly cost: number;
  readonly feasible: boolean;
  /** The first few broken rules, for the report. */
  readonly violations: readonly string[];
}

export function checkPlacement(problem: PlacementProblem, placement: Readonly<Record<string, string>>): PlacementCheck {
  const violations: string[] = [];
  const topology = buildTopology(problem.topology, problem.hosts);
  const hostIndex = new Map(problem.hosts.map((h, i) => [h.id, i]));
  const hostOfVm = new Map<string, number>();
  const used = problem.hosts.map(() => new Map<string, number>());
  for (const vm of problem.vms) {
    const hostId = placement[vm.id];
    const h = hostId === undefined ? undefined : hostIndex.get(hostId);
    if (h === undefined) {
      violations.push(`vm ${vm.id} is on no known host (${JSON.stringify(hostId)})`);
      continue;
    }
    hostOfVm.set(vm.id, h);
    const host = problem.hosts[h];
    if ((host.state ?? "active") !== "active" && problem.current?.[vm.id] !== hostId) violations.push(`vm ${vm.id} placed on ${host.state} host ${hostId}`);
    if (vm.hypervisor !== undefined && host.hypervisor !== vm.hypervisor) violations.push(`vm ${vm.id} needs ${vm.hypervisor}, host ${hostId} is ${host.hypervisor}`);
    const add = (name: string, amount: number): void => void used[h].set(name, (used[h].get(name) ?? 0) + amount);
    add("cpu", vm.cpu);
    add("memMiB", vm.memMiB);
    for (const [name, amount] of Object.entries(vm.resources ?? {})) add(name, amount);
  }
  problem.hosts.forEach((host, h) => {
    for (const [name, amount] of used[h]) {
      const cap = name === "cpu" ? host.cpu : name === "memMiB" ? host.memMiB : (host.resources?.[name] ?? 0);
      if (amount > cap + 1e-6) violations.push(`host ${host.id} ${name} ${amount} > capacity ${cap}`);
    }
  });
  for (const group of problem.groups ?? []) {
    const hostsOf = group.vmIds.map((id) => hostOfVm.get(id));
    if (group.policy === "affinity" && new Set(hostsOf).size > 1) violations.push(`affinity group ${group.id} spans hosts`);
    if (group.policy === "anti-affinity" && new Set(hostsOf).size < hostsOf.length) violations.push(`anti-affinity group ${group.id} shares a host`);
  }
  let cost = 0;
  for (const [a, b, rate] of problem.traffic ?? []) {
    const ha = hostOfVm.get(a);
    const hb = hostOfVm.get(b);
    if (ha !== undefined && hb !== undefined) cost += rate * topology.distance(ha, hb);
  }
  return { cost, feasible: violations.length === 0, violations: violations.slice(0, 5) };
}
