import { describe, expect, it } from "vitest";
import { frozenClock } from "../clock";
import { loadQaplib } from "../fixtures/qaplib";
import type { QapInstance } from "../model/qap";
import { qapCost } from "../model/qap";
import { solveQap } from "../qap";
import { createRng } from "@ferry/random";
import { solveQapDense } from "./qap-dense";

/** Exhaustive optimum of a tiny instance. */
function bruteForce(inst: QapInstance): number {
  const p = Array.from({ length: inst.n }, (_, i) => i);
  let best = Infinity;
  const permute = (k: number): void => {
    if (k === p.length) {
      best = Math.min(best, qapCost(inst, p));
      return;
    }
    for (let i = k; i < p.length; i++) {
      [p[k], p[i]] = [p[i], p[k]];
      permute(k + 1);
      [p[k], p[i]] = [p[i], p[k]];
    }
  };
  permute(0);
  return best;
}

describe("dense QAP solver (iterated robust tabu search)", () => {
  // Proven optima (QAPLIB); small instances are solved well within these iteration budgets.
  it.each([
    { name: "nug12", optimum: 578, iterations: 20_000 },
    { name: "chr12a", optimum: 9552, iterations: 20_000 },
    { name: "tai12a", optimum: 224416, iterations: 40_000 },
    { name: "had14", optimum: 2724, iterations: 20_000 },
    { name: "esc16a", optimum: 68, iterations: 20_000 },
  ])("$name reaches its optimum $optimum", ({ name, optimum, iterations }) => {
    const r = solveQap(loadQaplib(name), { maxIterations: iterations, seed: 1 });
    expect(r.cost).toBe(optimum);
    expect(qapCost(loadQaplib(name), r.permutation)).toBe(optimum);
    expect([...r.permutation].sort((x, y) => x - y)).toEqual(Array.from({ length: r.n }, (_, i) => i));
  });

  it("esc16f (all-zero flow) stops at once at cost 0 instead of searching forever", () => {
    const r = solveQap(loadQaplib("esc16f"), { timeLimitMs: 60_000 });
    expect(r.cost).toBe(0);
    expect(r.iterations).toBe(0);
  });

  it.each([1, 2, 3])("an asymmetric 7x7 instance (seed %i) reaches the brute-force optimum", (seed) => {
    const rng = createRng(seed);
    const rand = (): Float64Array => Float64Array.from({ length: 49 }, () => rng.int(20) - 3);
    const inst = { n: 7, a: rand(), b: rand() };
    expect(solveQapDense(inst, { rng: createRng(1), maxIterations: 5000 }).cost).toBe(bruteForce(inst));
  });

  it("is deterministic for a seed and an iteration budget", () => {
    const inst = loadQaplib("tai15a");
    const run = (seed: number): number[] => solveQap(inst, { seed, maxIterations: 3000 }).permutation;
    expect(run(5)).toEqual(run(5));
    expect(solveQap(inst, { seed: 5, maxIterations: 3000 }).iterations).toBe(3000);
  });

  it("with a frozen clock only the iteration budget stops it", () => {
    const r = solveQapDense(loadQaplib("nug12"), { rng: createRng(1), clock: frozenClock, timeLimitMs: 0, maxIterations: 100 });
    expect(r.iterations).toBe(0);
    const r2 = solveQapDense(loadQaplib("nug12"), { rng: createRng(1), clock: frozenClock, maxIterations: 100 });
    expect(r2.iterations).toBe(100);
  });
});
