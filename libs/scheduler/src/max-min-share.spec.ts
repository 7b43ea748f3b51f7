import { describe, expect, it } from "vitest";
import { maxMinShares, type Flow } from "./max-min-share";

const caps = new Map([
  ["L1", 10_000],
  ["L2", 4_000],
  ["L3", 10_000],
]);
const flow = (id: string, links: string[], capMbps = Infinity): Flow => ({ id, links, capMbps });

describe("maxMinShares", () => {
  it.each([
    { name: "one flow gets its narrowest link", flows: [flow("f", ["L1", "L2"])], want: { f: [4000, "L2"] } },
    { name: "two flows halve one link", flows: [flow("f", ["L1"]), flow("g", ["L1"])], want: { f: [5000, "L1"], g: [5000, "L1"] } },
    {
      // g and h split L2 (2000 each); f then takes what L1 has left after g: 10000 - 2000.
      name: "a flow frozen on a narrow link leaves the rest of a wide one",
      flows: [flow("f", ["L1"]), flow("g", ["L1", "L2"]), flow("h", ["L2", "L3"])],
      want: { f: [8000, "L1"], g: [2000, "L2"], h: [2000, "L2"] },
    },
    {
      name: "a capped flow leaves its unused share to the others",
      flows: [flow("f", ["L1"], 1000), flow("g", ["L1"])],
      want: { f: [1000, "cap"], g: [9000, "L1"] },
    },
    { name: "a zero cap gets nothing", flows: [flow("f", ["L1"], 0), flow("g", ["L1"])], want: { f: [0, "cap"], g: [10000, "L1"] } },
  ])("$name", ({ flows, want }) => {
    const got = maxMinShares(flows, caps);
    for (const [id, [share, bottleneck]] of Object.entries(want)) {
      expect(got.get(id)!.shareMbps).toBeCloseTo(share as number, 6);
      expect(got.get(id)!.bottleneck).toBe(bottleneck);
    }
  });

  it("refuses a link it does not know", () => {
    expect(() => maxMinShares([flow("f", ["nope"])], caps)).toThrow(/unknown link nope/);
  });
});
