import { describe, expect, it } from "vitest";
import { PlacementError } from "../errors";
import { host, vm } from "../fixtures/builders";
import type { PlacementProblem } from "./problem";
import { setUp } from "../solve";

const ok: PlacementProblem = {
  hosts: [host("h1").build(), host("h2").build()],
  vms: [vm("a").build(), vm("b").build(), vm("c").build()],
  traffic: [["a", "b", 1]],
  topology: { kind: "labels" },
};

describe("compiling a problem", () => {
  it.each<{ name: string; problem: PlacementProblem; code: "InvalidProblem" | "Infeasible"; want: RegExp }>([
    { name: "duplicate host id", problem: { ...ok, hosts: [host("h1").build(), host("h1").build()] }, code: "InvalidProblem", want: /host id "h1" appears twice/ },
    { name: "duplicate vm id", problem: { ...ok, vms: [vm("a").build(), vm("a").build()] }, code: "InvalidProblem", want: /vm id "a" appears twice/ },
    { name: "empty host id", problem: { ...ok, hosts: [{ id: "", cpu: 1, memMiB: 1 }] }, code: "InvalidProblem", want: /hosts\[0\]\.id must be a non-empty string/ },
    { name: "negative cpu", problem: { ...ok, vms: [vm("a").cpus(-1).build()] }, code: "InvalidProblem", want: /vm "a" cpu must be a finite number >= 0, got -1/ },
    { name: "memory not a number", problem: { ...ok, hosts: [{ id: "h", cpu: 1, memMiB: "lots" as never }] }, code: "InvalidProblem", want: /host "h" memMiB must be a finite number/ },
    { name: "unknown host state", problem: { ...ok, hosts: [{ id: "h", cpu: 1, memMiB: 1, state: "asleep" as never }] }, code: "InvalidProblem", want: /state must be one of active, cordoned/ },
    { name: "traffic to an unknown vm", problem: { ...ok, traffic: [["a", "zz", 1]] }, code: "InvalidProblem", want: /traffic\[0\] names unknown vm "zz"/ },
    { name: "negative rate", problem: { ...ok, traffic: [["a", "b", -3]] }, code: "InvalidProblem", want: /traffic\[0\] rate must be a finite number >= 0/ },
    { name: "traffic row of two", problem: { ...ok, traffic: [["a", "b"] as never] }, code: "InvalidProblem", want: /traffic\[0\] must be \[vmA, vmB, rate\]/ },
    { name: "current on an unknown host", problem: { ...ok, current: { a: "h9" } }, code: "InvalidProblem", want: /puts vm "a" on unknown host "h9"/ },
    { name: "current for an unknown vm", problem: { ...ok, current: { zz: "h1" } }, code: "InvalidProblem", want: /current placement names unknown vm "zz"/ },
    { name: "group with an unknown vm", problem: { ...ok, groups: [{ id: "g", policy: "affinity", vmIds: ["a", "q"] }] }, code: "InvalidProblem", want: /group "g" names unknown vm "q"/ },
    { name: "group with a bad policy", problem: { ...ok, groups: [{ id: "g", policy: "together" as never, vmIds: [] }] }, code: "InvalidProblem", want: /group "g" policy must be/ },
    { name: "more hosts than the topology has", problem: { ...ok, topology: { kind: "fat-tree", k: 2 }, hosts: [host("1").build(), host("2").build(), host("3").build()] }, code: "InvalidProblem", want: /3 hosts given but the fat-tree topology has only 2 positions/ },
    { name: "unknown topology kind", problem: { ...ok, topology: { kind: "torus" } as never }, code: "InvalidProblem", want: /unknown topology kind "torus"/ },
    { name: "bad topology parameter", problem: { ...ok, topology: { kind: "fat-tree", k: 5 } }, code: "InvalidProblem", want: /topology fat-tree: fat-tree k must be even/ },
    { name: "distance matrix of the wrong size", problem: { ...ok, topology: { kind: "matrix", distance: [[0]] } }, code: "InvalidProblem", want: /distance matrix has 1 rows for 2 hosts/ },
    {
      name: "affinity and anti-affinity on the same pair",
      problem: { ...ok, groups: [{ id: "ab", policy: "affinity", vmIds: ["a", "b"] }, { id: "apart", policy: "anti-affinity", vmIds: ["a", "b"] }] },
      code: "Infeasible",
      want: /anti-affinity group "apart" and affinity group "ab" both hold/,
    },
    {
      name: "affinity group over two hypervisor kinds",
      problem: { ...ok, vms: [vm("a").hypervisor("kvm").build(), vm("b").hypervisor("xen").build()], traffic: [], groups: [{ id: "ab", policy: "affinity", vmIds: ["a", "b"] }] },
      code: "Infeasible",
      want: /mixes hypervisor kinds kvm and xen/,
    },
  ])("rejects $name", ({ problem, code, want }) => {
    let error: unknown;
    try {
      setUp(problem, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlacementError);
    expect((error as PlacementError).code).toBe(code);
    expect((error as PlacementError).message).toMatch(want);
  });

  it("contracts affinity groups into units with summed demands and merged traffic", () => {
    const { cluster: c } = setUp(
      { ...ok, traffic: [["a", "c", 2], ["b", "c", 3], ["a", "b", 7]], groups: [{ id: "ab", policy: "affinity", vmIds: ["a", "b"] }] },
      {},
    );
    expect(c.unitCount).toBe(2);
    const ab = c.vmUnit[c.vmIndex.get("a")!];
    expect(c.vmUnit[c.vmIndex.get("b")!]).toBe(ab);
    expect(c.unitDemand[ab * c.resourceCount]).toBe(4);
    // a-b traffic is inside the unit (always 0); a-c and b-c merge into one link of 5.
    expect([...c.adjW.subarray(c.adjStart[ab], c.adjStart[ab + 1])]).toEqual([5]);
  });

  it("aggregates repeated and reversed traffic rows", () => {
    const { cluster: c } = setUp({ ...ok, traffic: [["a", "b", 1], ["b", "a", 2], ["a", "b", 4], ["a", "a", 9]] }, {});
    const a = c.vmUnit[c.vmIndex.get("a")!];
    expect([...c.adjW.subarray(c.adjStart[a], c.adjStart[a + 1])]).toEqual([7]);
  });
});
