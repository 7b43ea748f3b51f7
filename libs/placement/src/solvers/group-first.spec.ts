import { describe, expect, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import { compiled } from "../fixtures/harness";
import { Assignment } from "../model/assignment";
import type { PlacementProblem } from "../model/problem";
import { planReplacement } from "../replan";
import { groupTargetMoves, planGroupFirst } from "./group-first";
import type { IncrementalBudget } from "./incremental";

/**
 * Two applications of 4 VMs (a clique each: A at 10, B at 8), each split 2 + 2 over two full hosts five switches
 * apart; an empty host per application takes all four. Half of a group moved gains nothing (its VMs leave as
 * many peers as they join); the whole group gains its 4 cut links x 5 switches.
 */
const halves: PlacementProblem = {
  hosts: [
    host("x1").cpus(4).build(),
    host("y1").cpus(4).build(),
    host("z1").cpus(8).build(),
    host("x2").cpus(4).build(),
    host("y2").cpus(4).build(),
    host("z2").cpus(8).build(),
  ],
  vms: ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"].map((id) => vm(id).cpus(2).build()),
  traffic: [
    ...clique(["a1", "a2", "a3", "a4"], 10),
    ...clique(["b1", "b2", "b3", "b4"], 8),
    // A light link between the applications, which must not join their groups.
    ["a1", "b1", 0.1],
  ],
  topology: { kind: "matrix", distance: Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i === j ? 0 : 5))) },
  current: { a1: "x1", a2: "x1", a3: "y1", a4: "y1", b1: "x2", b2: "x2", b3: "y2", b4: "y2" },
};
const halvesTarget = { a1: "z1", a2: "z1", a3: "z1", a4: "z1", b1: "z2", b2: "z2", b3: "z2", b4: "z2" };
// Cut links: A 4 x 10 x 5 = 200, B 4 x 8 x 5 = 160, the light link 0.5.
const halvesCost = 360.5;

/**
 * c1 (h1) should go to h2, which is full until c2 leaves it for h3: the group's moves must run c2 first.
 * Distances: h1-h2 1, h2-h3 1, h1-h3 5.
 */
const chain: PlacementProblem = {
  hosts: [host("h1").cpus(2).build(), host("h2").cpus(2).build(), host("h3").cpus(4).build()],
  vms: ["c1", "c2", "e"].map((id) => vm(id).cpus(2).build()),
  traffic: [
    ["c1", "e", 10],
    ["c2", "e", 10],
    ["c1", "c2", 10],
  ],
  topology: { kind: "matrix", distance: [[0, 1, 5], [1, 0, 1], [5, 1, 0]] },
  current: { c1: "h1", c2: "h2", e: "h3" },
};

function clique(ids: readonly string[], rate: number): [string, string, number][] {
  return ids.flatMap((x, i) => ids.slice(i + 1).map((y): [string, string, number] => [x, y, rate]));
}

function targetOf(problem: PlacementProblem, target: Record<string, string>) {
  const h = compiled(problem);
  const t = Int32Array.from(h.a.hostOf);
  for (const [vmId, hostId] of Object.entries(target)) t[h.unit(vmId)] = h.hostIx(hostId);
  return { ...h, target: t };
}

describe("groupTargetMoves", () => {
  it.each([
    { name: "two split cliques, joined by a light link: one group each", problem: halves, target: halvesTarget, want: [["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]] },
    { name: "a chain whose moves bring its VMs together: one group", problem: chain, target: { c1: "h2", c2: "h3" }, want: [["c1", "c2"]] },
    { name: "nothing moves: no group", problem: chain, target: {} as Record<string, string>, want: [] },
  ])("$name", ({ problem, target, want }) => {
    const { setup, a, target: t } = targetOf(problem, target);
    const c = setup.cluster;
    expect(groupTargetMoves(c, a, t).map((g) => g.map((u) => c.vmIds[u]))).toEqual(want);
  });
});

describe("planGroupFirst", () => {
  it.each([
    { name: "3 moves: no group fits and halves gain nothing", budget: { maxMigrations: 3 }, moved: [], cost: halvesCost },
    { name: "4 moves: the better group, whole", budget: { maxMigrations: 4 }, moved: ["a1", "a2", "a3", "a4"], cost: 160.5 },
    { name: "7 moves: still one group", budget: { maxMigrations: 7 }, moved: ["a1", "a2", "a3", "a4"], cost: 160.5 },
    { name: "8 moves: both groups (the light link stays cut)", budget: { maxMigrations: 8 }, moved: ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"], cost: 0.5 },
    { name: "16 GiB: one group (4 x 4 GiB)", budget: { maxMemoryMovedMiB: 16384 }, moved: ["a1", "a2", "a3", "a4"], cost: 160.5 },
  ])("$name", ({ budget, moved, cost }: { budget: IncrementalBudget; moved: string[]; cost: number }) => {
    const { setup, a, target } = targetOf(halves, halvesTarget);
    const c = setup.cluster;
    const start = a.clone();
    const r = planGroupFirst(setup.ctx, a, target, budget);
    expect(r.steps.map((s) => c.vmIds[s.unit]).sort()).toEqual(moved);
    expect(setup.framework.objective.total(a)).toBeCloseTo(cost, 9);
    expect(r.migrations).toBe(moved.length);
    // One action per group, feasible move after move, gains adding up.
    expect(new Set(r.steps.map((s) => s.action)).size).toBe(moved.length / 4);
    replay(setup.ctx.framework, start, r.steps);
    expect(r.steps.reduce((s, x) => s + x.gain, 0)).toBeCloseTo(halvesCost - cost, 9);
  });

  it("runs a group's moves in an order where each one fits: c2 leaves h2 before c1 arrives", () => {
    const { setup, a, target } = targetOf(chain, { c1: "h2", c2: "h3" });
    const c = setup.cluster;
    const start = a.clone();
    const r = planGroupFirst(setup.ctx, a, target, { maxMigrations: 2 });
    expect(r.steps.map((s) => [c.vmIds[s.unit], c.hostIds[s.to]])).toEqual([
      ["c2", "h3"],
      ["c1", "h2"],
    ]);
    replay(setup.ctx.framework, start, r.steps);
  });
});

describe("planReplacement on split groups", () => {
  it.each([
    { method: "greedy" as const, cost: halvesCost },
    { method: "group-first" as const, cost: 160.5 },
    { method: "auto" as const, cost: 160.5 },
  ])("4 migrations, $method", ({ method, cost }) => {
    const plan = planReplacement(halves, { maxMigrations: 4, method, timeLimitMs: 60_000 });
    expect(plan.costAfter).toBeCloseTo(cost, 9);
  });
});

function replay(fw: { admits: (a: Assignment, u: number, h: number) => boolean }, start: Assignment, steps: readonly { unit: number; from: number; to: number }[]): void {
  const a = start.clone();
  for (const s of steps) {
    expect(a.hostOf[s.unit]).toBe(s.from);
    expect(fw.admits(a, s.unit, s.to)).toBe(true);
    a.move(s.unit, s.to);
  }
}
