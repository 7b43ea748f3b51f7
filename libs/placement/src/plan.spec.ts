import { describe, expect, it } from "vitest";
import { host, vm } from "./fixtures/builders";
import { clusteredWorkload } from "./fixtures/clustered-workload";
import { fatTreeK4 } from "./fixtures/fat-tree-k4";
import { randomInstance } from "./fixtures/random-instance";
import type { PlacementProblem } from "./model/problem";
import type { Plan } from "./plan";
import { diffPlacements, explainPlan, validatePlan } from "./plan";
import { planReplacement } from "./replan";

/** Invariants every plan must keep, beyond validatePlan's step-by-step replay. */
function expectSound(problem: PlacementProblem, plan: Plan, budget: { maxMigrations?: number; maxMemoryMovedMiB?: number }): void {
  expect(validatePlan(problem, plan)).toEqual({ ok: true });
  expect(plan.migrations).toBe(plan.moves.length);
  if (budget.maxMigrations !== undefined) expect(plan.migrations).toBeLessThanOrEqual(budget.maxMigrations);
  if (budget.maxMemoryMovedMiB !== undefined) expect(plan.memoryMovedMiB).toBeLessThanOrEqual(budget.maxMemoryMovedMiB);
  const moved = plan.moves.map((m) => m.vmId);
  expect(new Set(moved).size).toBe(moved.length);
  const gains = plan.moves.reduce((s, m) => s + m.gain, 0);
  expect(gains).toBeCloseTo(plan.objectiveBefore - plan.objectiveAfter, 6);
  expect(plan.objectiveAfter).toBeLessThanOrEqual(plan.objectiveBefore);
  if (plan.moves.length > 0) expect(plan.moves[plan.moves.length - 1].costAfter).toBeCloseTo(plan.costAfter, 6);
  // Each action (a move, a pair, or an affinity group) gains.
  const byAction = new Map<number, number>();
  for (const m of plan.moves) byAction.set(m.action, (byAction.get(m.action) ?? 0) + m.gain);
  for (const g of byAction.values()) expect(g).toBeGreaterThan(0);
  const replayed: Record<string, string> = { ...problem.current, ...plan.newVms };
  for (const m of plan.moves) replayed[m.vmId] = m.toHostId;
  expect(replayed).toEqual(plan.placement);
}

describe("planReplacement", () => {
  const budgets = [{ maxMigrations: 1 }, { maxMigrations: 3 }, { maxMigrations: 10 }, { maxMemoryMovedMiB: 12288 }, {}];
  it.each(
    [1, 2, 3, 4, 5, 6, 7, 8].flatMap((seed) => budgets.map((budget) => ({ seed, budget, label: JSON.stringify(budget) }))),
  )("instance $seed, budget $label: feasible after every move, within budget, gains add up", ({ seed, budget }) => {
    // Tight hosts (up to 95% full) so that many moves need a pair or are blocked.
    const problem = randomInstance({ seed, groups: true, fill: [0.7, 0.95] });
    const plan = planReplacement(problem, { ...budget, seed, timeLimitMs: 60_000 });
    expectSound(problem, plan, budget);
  });

  it("cuts traffic on a clustered fat-tree within 50 moves", () => {
    const problem = clusteredWorkload({ topology: { kind: "fat-tree", k: 8 }, seed: 4 });
    const plan = planReplacement(problem, { maxMigrations: 50, timeLimitMs: 60_000 });
    expectSound(problem, plan, { maxMigrations: 50 });
    expect(plan.moves.length).toBe(50);
    expect(plan.stoppedBecause).toBe("budget");
    expect(plan.costAfter).toBeLessThan(plan.costBefore * 0.95);
    // Greedy order: the most valuable actions come first.
    expect(plan.moves[0].gain).toBeGreaterThanOrEqual(plan.moves[plan.moves.length - 1].gain);
  });

  // h1 and h2 are full (two 2-vCPU VMs each); h3 has room for one VM. a (h1) and b (h2) talk at 100, five
  // switches apart. No single move helps; evicting x (or y) to h3 and then moving b (or a) next to its peer does.
  const full: PlacementProblem = {
    hosts: [host("h1").cpus(4).build(), host("h2").cpus(4).build(), host("h3").cpus(2).build()],
    vms: ["a", "x", "b", "y"].map((id) => vm(id).cpus(2).build()),
    traffic: [["a", "b", 100]],
    topology: { kind: "matrix", distance: [[0, 5, 5], [5, 0, 5], [5, 5, 0]] },
    current: { a: "h1", x: "h1", b: "h2", y: "h2" },
  };

  it("evicts to make room when the peer's host is full: two moves, one action, each feasible", () => {
    const plan = planReplacement(full);
    expectSound(full, plan, {});
    expect(plan.costBefore).toBe(500);
    expect(plan.costAfter).toBe(0);
    expect(plan.moves).toHaveLength(2);
    expect(plan.moves[0].toHostId).toBe("h3");
    expect(plan.moves[0].action).toBe(plan.moves[1].action);
  });

  it("takes no pair when only one migration is allowed", () => {
    const plan = planReplacement(full, { maxMigrations: 1 });
    expect(plan.moves).toEqual([]);
    expect(plan.costAfter).toBe(500);
  });

  it("moves an affinity group VM by VM, as one action", () => {
    const problem: PlacementProblem = {
      hosts: [host("h1").cpus(8).build(), host("h2").cpus(8).build()],
      vms: [vm("p").cpus(2).build(), vm("q").cpus(2).build(), vm("r").cpus(2).build()],
      traffic: [["q", "r", 10]],
      topology: { kind: "matrix", distance: [[0, 3], [3, 0]] },
      groups: [{ id: "pq", policy: "affinity", vmIds: ["p", "q"] }],
      current: { p: "h1", q: "h1", r: "h2" },
    };
    // Moving r (1 migration) gains as much as moving p and q (2): the planner prefers the cheaper... unless it cannot.
    const plan = planReplacement(problem, { timeLimitMs: 60_000 });
    expectSound(problem, plan, {});
    expect(plan.costAfter).toBe(0);
    const pinned = planReplacement({ ...problem, hosts: [host("h1").cpus(8).build(), host("h2").cpus(8).state("cordoned").build()] }, { timeLimitMs: 60_000 });
    expect(pinned.moves.map((m) => m.vmId)).toEqual(["r"]);
  });

  it("places new VMs first without counting them as migrations", () => {
    const { a0: _dropped, ...current } = fatTreeK4.current!;
    const problem = { ...fatTreeK4, current };
    const plan = planReplacement(problem, { maxMigrations: 2 });
    expect(Object.keys(plan.newVms)).toEqual(["a0"]);
    expectSound(problem, plan, { maxMigrations: 2 });
  });

  it("a migration weight makes moves pay for their memory: none pays off at 1 per MiB", () => {
    const plan = planReplacement(fatTreeK4, { weights: { migration: 1 } });
    expect(plan.moves).toEqual([]);
  });
});

describe("validatePlan", () => {
  const base = planReplacement(
    {
      hosts: [host("h1").cpus(4).build(), host("h2").cpus(4).build()],
      vms: [vm("a").cpus(2).build(), vm("b").cpus(2).build()],
      traffic: [["a", "b", 10]],
      topology: { kind: "matrix", distance: [[0, 1], [1, 0]] },
      current: { a: "h1", b: "h2" },
    },
    {},
  );
  const problem: PlacementProblem = {
    hosts: [host("h1").cpus(4).build(), host("h2").cpus(4).build()],
    vms: [vm("a").cpus(2).build(), vm("b").cpus(2).build()],
    traffic: [["a", "b", 10]],
    topology: { kind: "matrix", distance: [[0, 1], [1, 0]] },
    current: { a: "h1", b: "h2" },
  };
  const move = (vmId: string, from: string, to: string, costAfter: number) => ({ step: 1, vmId, fromHostId: from, toHostId: to, memMiB: 4096, gain: 10, costAfter, action: 1 });
  it.each([
    { name: "a sound plan", moves: [move("b", "h2", "h1", 0)], want: { ok: true } },
    { name: "a VM that is elsewhere", moves: [move("b", "h1", "h2", 0)], want: { ok: false, step: 1, reason: 'vm "b" is on "h2", not "h1"' } },
    { name: "an unknown host", moves: [move("b", "h2", "h9", 0)], want: { ok: false, step: 1, reason: 'unknown host "h9"' } },
    { name: "a wrong cost", moves: [move("b", "h2", "h1", 3)], want: { ok: false, step: 1, reason: "costAfter is 3 but the placement then costs 0" } },
  ])("$name", ({ moves, want }) => {
    expect(validatePlan(problem, { ...base, moves, costAfter: moves[0].costAfter })).toEqual(want);
  });

  it("catches a move onto a full host", () => {
    const crowded: PlacementProblem = { ...problem, vms: [...problem.vms, vm("c").cpus(2).build(), vm("d").cpus(2).build()], current: { a: "h1", b: "h2", c: "h1", d: "h2" } };
    const check = validatePlan(crowded, { ...base, moves: [move("b", "h2", "h1", 0)] });
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toContain("insufficient cpu needs 2, 0 free of 4");
  });
});

describe("diffPlacements and explainPlan", () => {
  it("lists changed, new and gone VMs", () => {
    expect(diffPlacements({ a: "h1", b: "h2", c: "h3" }, { a: "h1", b: "h3", d: "h1" })).toEqual([
      { vmId: "b", fromHostId: "h2", toHostId: "h3" },
      { vmId: "c", fromHostId: "h3", toHostId: undefined },
      { vmId: "d", fromHostId: undefined, toHostId: "h1" },
    ]);
  });

  it("explains a plan line by line", () => {
    const plan = planReplacement(fatTreeK4, { maxMigrations: 2 });
    const lines = explainPlan(plan);
    expect(lines[0]).toMatch(/^2 migration\(s\), 16384 MiB moved; traffic cost 2255 -> \d+ \(\d+(\.\d+)?% lower\); stopped: budget$/);
    expect(lines[1]).toMatch(/^1\. move \S+ \(8192 MiB\) h\d+ -> h\d+: gain \d+/);
    expect(lines).toHaveLength(3);
  });
});
