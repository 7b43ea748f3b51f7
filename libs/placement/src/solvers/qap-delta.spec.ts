import { describe, expect, it } from "vitest";
import type { QapInstance } from "../model/qap";
import { qapCost } from "../model/qap";
import { createRng, shuffleInPlace } from "@ferry/random";
import { QapDeltaState } from "./qap-delta";
import { RobustTabu, defaultTabuParams } from "./robust-tabu";

/** Random instance; `symA`/`symB` make a matrix symmetric; diagonals are random too (QAP allows them). */
function instance(n: number, seed: number, symA: boolean, symB: boolean): QapInstance {
  const rng = createRng(seed);
  const m = (sym: boolean): Float64Array => {
    const x = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) x[i * n + j] = rng.int(10);
    if (sym) for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) x[i * n + j] = x[j * n + i];
    return x;
  };
  return { n, a: m(symA), b: m(symB) };
}

const kinds = [
  { name: "both symmetric", symA: true, symB: true },
  { name: "only A symmetric", symA: true, symB: false },
  { name: "only B symmetric", symA: false, symB: true },
  { name: "asymmetric", symA: false, symB: false },
];

describe("dense QAP delta state", () => {
  it.each(kinds)("$name: every delta equals the cost change of the swap, after many O(1) updates", ({ symA, symB }) => {
    for (let seed = 1; seed <= 4; seed++) {
      const inst = instance(9, seed, symA, symB);
      const rng = createRng(seed);
      const st = new QapDeltaState(inst);
      expect(st.symmetric).toBe(symA || symB);
      st.load(shuffleInPlace(rng, Int32Array.from({ length: 9 }, (_, i) => i)));
      for (let t = 0; t < 40; t++) {
        const i = rng.int(9);
        const j = (i + 1 + rng.int(8)) % 9;
        st.swap(i, j);
      }
      expect(st.cost).toBe(qapCost(inst, st.p));
      for (let r = 0; r < 9; r++) {
        for (let s = r + 1; s < 9; s++) {
          const q = Array.from(st.p);
          [q[r], q[s]] = [q[s], q[r]];
          const want = qapCost(inst, q) - st.cost;
          expect(st.delta[r * 9 + s]).toBeCloseTo(want, 9);
          expect(st.computeDelta(r, s)).toBeCloseTo(want, 9);
          if (st.symmetric) expect(st.touchedDelta(r, s)).toBeCloseTo(want, 9);
        }
      }
    }
  });

  it.each(kinds)("$name: the tabu search's fused update leaves the same deltas", ({ symA, symB }) => {
    const inst = instance(12, 7, symA, symB);
    const rng = createRng(3);
    const st = new QapDeltaState(inst);
    st.load(shuffleInPlace(rng, Int32Array.from({ length: 12 }, (_, i) => i)));
    const ts = new RobustTabu(st, rng, defaultTabuParams(12));
    expect(ts.run(500, () => false, 50)).toBe(500);
    expect(st.cost).toBeCloseTo(qapCost(inst, st.p), 9);
    for (let r = 0; r < 12; r++) for (let s = r + 1; s < 12; s++) expect(st.delta[r * 12 + s]).toBeCloseTo(st.computeDelta(r, s), 9);
    expect(ts.bestCost).toBeCloseTo(qapCost(inst, ts.bestP), 9);
  });
});
