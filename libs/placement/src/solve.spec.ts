import { describe, expect, it } from "vitest";
import { frozenClock } from "./clock";
import { PlacementError } from "./errors";
import { host, vm } from "./fixtures/builders";
import { fatTreeK4 } from "./fixtures/fat-tree-k4";
import { loadQaplib } from "./fixtures/qaplib";
import type { PlacementProblem, TrafficRow } from "./model/problem";
import { solvePlacement } from "./solve";

/** A QAPLIB instance as a TVMPP slot problem: one 1-vCPU host per location, VM i talks to j at a[i][j]. */
function slots(name: string, hostCpu = 1): PlacementProblem {
  const { n, a, b } = loadQaplib(name);
  const traffic: TrafficRow[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && a[i * n + j] > 0) traffic.push([`v${i}`, `v${j}`, a[i * n + j]]);
  return {
    hosts: Array.from({ length: n }, (_, i) => host(`h${i}`).cpus(hostCpu).memMiB(1024).build()),
    vms: Array.from({ length: n }, (_, i) => vm(`v${i}`).cpus(1).memMiB(512).build()),
    traffic,
    topology: { kind: "matrix", distance: Array.from({ length: n }, (_, i) => Array.from(b.subarray(i * n, i * n + n))) },
  };
}

describe("solvePlacement", () => {
  it("uses the dense QAP mode when every host holds one VM (nug12 as TVMPP reaches its optimum 578)", () => {
    const r = solvePlacement(slots("nug12"), { maxIterations: 20_000, timeLimitMs: 60_000 });
    expect(r.stages.map((s) => s.solver)).toEqual(["qap-dense"]);
    expect(r.cost).toBe(578);
  });

  it("uses the sparse pipeline when hosts hold several VMs", () => {
    const r = solvePlacement(slots("nug12", 2), { maxIterations: 200, timeLimitMs: 60_000 });
    expect(r.stages.map((s) => s.solver)).toEqual(["multilevel", "local-search", "iterated-local-search"]);
  });

  it("starts from the current placement too and reports migrations against it", () => {
    const r = solvePlacement(fatTreeK4, { maxIterations: 500, timeLimitMs: 60_000 });
    expect(r.stages.map((s) => s.solver)).toContain("local-search(current)");
    expect(r.migrations).toBeGreaterThan(0);
    expect(r.memoryMovedMiB).toBe(r.migrations * 8192);
  });

  it("runs a single named solver (the baselines)", () => {
    const r = solvePlacement(fatTreeK4, { solver: "first-fit" });
    expect(r.stages.map((s) => s.solver)).toEqual(["first-fit"]);
    expect(r.placement).toEqual({ a0: "h0", a1: "h0", a2: "h1", a3: "h1", b0: "h2", b1: "h2", b2: "h3", b3: "h3" });
  });

  it("with a clock that never moves only the iteration budget stops it, so a run replays exactly", () => {
    const run = (): Record<string, string> => solvePlacement(fatTreeK4, { clock: frozenClock, maxIterations: 300, seed: 9 }).placement;
    expect(run()).toEqual(run());
  });

  it.each<{ name: string; problem: PlacementProblem; want: RegExp }>([
    {
      name: "more anti-affinity members than active hosts",
      problem: {
        hosts: [host("h1").build(), host("h2").build(), host("h3").state("maintenance").build()],
        vms: [vm("a").build(), vm("b").build(), vm("c").build()],
        groups: [{ id: "spread", policy: "anti-affinity", vmIds: ["a", "b", "c"] }],
      },
      want: /anti-affinity group "spread" has 3 members but only 2 active hosts/,
    },
    {
      name: "memory short overall",
      problem: { hosts: [host("h1").memMiB(1024).build()], vms: [vm("a").memMiB(2048).build()] },
      want: /VMs need 2048 memMiB in all but the active hosts have 1024/,
    },
    {
      name: "no host of the VM's hypervisor kind",
      problem: { hosts: [host("h1").hypervisor("xen").build()], vms: [vm("a").hypervisor("kvm").build()] },
      want: /vm "a" .* is larger than every active host of its hypervisor kind/,
    },
    {
      name: "bin packing that cannot work (three 3-vCPU VMs on two 5-vCPU hosts)",
      problem: { hosts: [host("h1").cpus(5).build(), host("h2").cpus(5).build()], vms: ["a", "b", "c"].map((id) => vm(id).cpus(3).build()) },
      want: /no feasible placement found: vm "\w" \(cpu 3, memMiB 4096\) fits on no host/,
    },
  ])("reports an infeasible problem: $name", ({ problem, want }) => {
    let error: unknown;
    try {
      solvePlacement(problem, { maxIterations: 10 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlacementError);
    expect((error as PlacementError).code).toBe("Infeasible");
    expect((error as PlacementError).message).toMatch(want);
  });
});
