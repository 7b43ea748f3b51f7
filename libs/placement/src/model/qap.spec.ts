import { describe, expect, it } from "vitest";
import { PlacementError } from "../errors";
import { loadQaplib } from "../fixtures/qaplib";
import { parseQaplib, qapCost } from "./qap";

describe("QAPLIB parsing", () => {
  it("reads n and both matrices, whatever the line breaks", () => {
    const inst = parseQaplib("2\n 0 1\n 2 0\n\n0 3 4 0\n");
    expect(inst.n).toBe(2);
    expect([...inst.a]).toEqual([0, 1, 2, 0]);
    expect([...inst.b]).toEqual([0, 3, 4, 0]);
  });

  it.each([
    { name: "empty file", text: "  \n", want: /empty/ },
    { name: "size not a number", text: "x 1 2", want: /must start with the size n/ },
    { name: "size zero", text: "0", want: /must start with the size n/ },
    { name: "too few numbers", text: "2 0 1 1 0 0 1 1", want: /must hold 9 numbers .* found 8/ },
    { name: "too many numbers", text: "1 0 0 5", want: /must hold 3 numbers .* found 4/ },
    { name: "a word in matrix B", text: "2 0 1 1 0 0 1 oops 0", want: /matrix B row 2 column 1: "oops" is not a number/ },
  ])("rejects $name", ({ text, want }) => {
    expect(() => parseQaplib(text)).toThrow(PlacementError);
    expect(() => parseQaplib(text)).toThrow(want);
  });

  it("costs a permutation as sum a[i][j] b[p i][p j] (nug12's optimum from QAPLIB's solution file)", () => {
    // QAPLIB nug12 solution (1-based): 12 7 9 3 4 8 11 1 5 6 10 2, cost 578.
    const p = [12, 7, 9, 3, 4, 8, 11, 1, 5, 6, 10, 2].map((x) => x - 1);
    expect(qapCost(loadQaplib("nug12"), p)).toBe(578);
  });
});
