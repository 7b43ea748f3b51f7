import { describe, expect, it } from "vitest";
import { intervalSeries, pairTraffic } from "./usage-series";

type Sent = { vmId: string; peerTxMbps: Record<string, number> };

describe("intervalSeries", () => {
  it.each([
    { name: "every interval sampled", rows: [[0, 0.1], [1, 0.2], [2, 0.3], [3, 0.4]], want: [0.1, 0.2, 0.3, 0.4] },
    { name: "a late start: the series starts at its first sample", rows: [[2, 0.3], [3, 0.4]], want: [0.3, 0.4] },
    { name: "a gap repeats the interval before", rows: [[0, 0.1], [2, 0.3]], want: [0.1, 0.1, 0.3, 0.3] },
    { name: "rows out of range are ignored", rows: [[-1, 0.9], [0, 0.1], [4, 0.9]], want: [0.1, 0.1, 0.1, 0.1] },
  ])("$name", ({ rows, want }) => {
    const got = intervalSeries(rows.map(([k, value]) => ({ id: "x", k: k!, value: value! })), 4);
    expect(got.get("x")).toEqual(want);
  });

  it("an entity without any sample in range has no series", () => {
    expect(intervalSeries([{ id: "x", k: 7, value: 1 }], 4).has("x")).toBe(false);
  });
});

describe("pairTraffic", () => {
  it.each<{ name: string; vms: Sent[]; want: ReturnType<typeof pairTraffic> }>([
    { name: "one side sends", vms: [{ vmId: "a", peerTxMbps: { b: 10 } }], want: [{ vmA: "a", vmB: "b", mbps: 10 }] },
    { name: "both sides add up", vms: [{ vmId: "b", peerTxMbps: { a: 5 } }, { vmId: "a", peerTxMbps: { b: 10 } }], want: [{ vmA: "a", vmB: "b", mbps: 15 }] },
    {
      name: "pairs come out sorted",
      vms: [{ vmId: "c", peerTxMbps: { a: 1, b: 2 } }],
      want: [
        { vmA: "a", vmB: "c", mbps: 1 },
        { vmA: "b", vmB: "c", mbps: 2 },
      ],
    },
    { name: "no traffic, no pairs", vms: [{ vmId: "a", peerTxMbps: {} }], want: [] },
  ])("$name", ({ vms, want }) => {
    expect(pairTraffic(vms)).toEqual(want);
  });
});
