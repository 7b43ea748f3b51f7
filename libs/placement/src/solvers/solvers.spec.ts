import { describe, expect, it } from "vitest";
import { FAT_TREE_K4_OPTIMUM, fatTreeK4 } from "../fixtures/fat-tree-k4";
import { clusteredWorkload } from "../fixtures/clustered-workload";
import { compiled } from "../fixtures/harness";
import { randomInstance } from "../fixtures/random-instance";
import type { Assignment } from "../model/assignment";
import type { PlacementProblem } from "../model/problem";
import { solvePlacement } from "../solve";
import type { Setup } from "../solve";
import { ClusterAndCut } from "./cluster-and-cut";
import { FirstFit } from "./first-fit";
import { GreedyNearest } from "./greedy-nearest";
import { IteratedLocalSearch } from "./iterated-local-search";
import { LocalSearch } from "./local-search";
import { MultilevelPlacement } from "./multilevel";
import { RandomPlacement } from "./random";

/** Every unit placed on a host that every filter admits. */
function expectFeasible(setup: Setup, a: Assignment): void {
  for (let u = 0; u < setup.cluster.unitCount; u++) {
    const h = a.hostOf[u];
    expect(h).toBeGreaterThanOrEqual(0);
    expect(setup.framework.rejections(a, u, h)).toEqual([]);
  }
}

const seeds = [1, 2, 3, 4, 5, 6, 7, 8];

describe("local search", () => {
  it.each(seeds)("keeps an exact running objective, stays feasible and never gets worse (instance %i)", (seed) => {
    const { setup, a } = compiled(randomInstance({ seed, groups: true }), { seed });
    const before = setup.framework.objective.total(a);
    const ls = new LocalSearch(setup.ctx);
    const report = ls.run(setup.ctx, a);
    expect(report.objective).toBeCloseTo(setup.framework.objective.total(a), 6);
    expect(report.objective).toBeLessThanOrEqual(before + 1e-9);
    expectFeasible(setup, a);
    expect(ls.pending()).toBe(0);
  });

  it("with balance and energy terms the running objective stays exact", () => {
    const { setup, a } = compiled(randomInstance({ seed: 11, groups: true }), { weights: { traffic: 1, balance: 50, energy: 0.5, migration: 0.01 } });
    const report = new LocalSearch(setup.ctx).run(setup.ctx, a);
    expect(report.objective).toBeCloseTo(setup.framework.objective.total(a), 6);
    expectFeasible(setup, a);
  });
});

describe("constructive solvers place everything feasibly", () => {
  const solvers = [
    { name: "random", make: () => new RandomPlacement() },
    { name: "first-fit", make: () => new FirstFit() },
    { name: "greedy-nearest", make: () => new GreedyNearest() },
    { name: "cluster-and-cut", make: () => new ClusterAndCut() },
    { name: "multilevel", make: () => new MultilevelPlacement() },
  ];
  it.each(solvers.flatMap((s) => seeds.map((seed) => ({ ...s, seed }))))("$name on instance $seed", ({ make, seed }) => {
    // Fill 0.3-0.6 so that any order of placement fits, whatever the solver.
    const { setup, a } = compiled(randomInstance({ seed, groups: true, fill: [0.3, 0.6] }), { seed });
    const report = make().run(setup.ctx, a);
    expectFeasible(setup, a);
    expect(report.objective).toBeCloseTo(setup.framework.objective.total(a), 6);
  });

  it("first-fit fills hosts in order", () => {
    const { setup, a } = compiled(fatTreeK4);
    new FirstFit().run(setup.ctx, a);
    // Two 4-vCPU VMs fill an 8-vCPU host: a0 a1 on h0, a2 a3 on h1, ...
    expect(a.toPlacement()).toEqual({ a0: "h0", a1: "h0", a2: "h1", a3: "h1", b0: "h2", b1: "h2", b2: "h3", b3: "h3" });
  });

  it("greedy nearest puts each VM next to its placed peers", () => {
    const { setup, a } = compiled({ ...fatTreeK4, traffic: [["a0", "b3", 10], ...fatTreeK4.traffic!] });
    new GreedyNearest().run(setup.ctx, a);
    const p = a.toPlacement();
    // b3 arrives last and joins a0's edge switch (h0 and h1 are full, h... under the same edge: distance 1).
    expect(setup.cluster.topology.distance(setup.cluster.hostIndex.get(p.a0)!, setup.cluster.hostIndex.get(p.b3)!)).toBeLessThanOrEqual(3);
  });

  it("Cluster-and-Cut keeps each clustered application inside few racks and beats first-fit", () => {
    const problem = clusteredWorkload({ topology: { kind: "fat-tree", k: 8 }, seed: 3 });
    const run = (solver: "cluster-and-cut" | "first-fit" | "random"): number => solvePlacement(problem, { solver, seed: 1 }).cost;
    const cc = run("cluster-and-cut");
    expect(cc).toBeLessThan(run("first-fit") * 0.6);
    expect(cc).toBeLessThan(run("random") * 0.2);
  });
});

describe("iterated local search and the auto pipeline", () => {
  it(`finds the worked optimum of the fat-tree k=4 fixture (${FAT_TREE_K4_OPTIMUM})`, () => {
    const r = solvePlacement(fatTreeK4, { seed: 1, maxIterations: 3000 });
    expect(r.cost).toBe(FAT_TREE_K4_OPTIMUM);
  });

  it.each(seeds)("improves on local search, stays feasible, objective exact (instance %i)", (seed) => {
    const problem = randomInstance({ seed, groups: true });
    const ls = compiled(problem, { seed });
    const lsReport = new LocalSearch(ls.setup.ctx).run(ls.setup.ctx, ls.a);
    const { setup, a } = compiled(problem, { seed });
    const report = new IteratedLocalSearch().run(setup.ctx, a, 2000);
    expect(report.objective).toBeCloseTo(setup.framework.objective.total(a), 6);
    expect(report.objective).toBeLessThanOrEqual(lsReport.objective + 1e-9);
    expectFeasible(setup, a);
  });

  it("is a pure function of seed and iteration budget", () => {
    const problem: PlacementProblem = clusteredWorkload({ topology: { kind: "fat-tree", k: 4 }, seed: 2 });
    const run = (seed: number): Record<string, string> => solvePlacement(problem, { seed, maxIterations: 500, timeLimitMs: 60_000 }).placement;
    expect(run(7)).toEqual(run(7));
  });
});
