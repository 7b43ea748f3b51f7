import { describe, expect, it } from "vitest";
import type { LabelledHost } from "./labels";
import { labelTopology } from "./labels";

describe("labels", () => {
  const hosts: LabelledHost[] = [
    { labels: { rack: "r1", pod: "p1" } }, // 0
    { labels: { rack: "r1", pod: "p1" } }, // 1 same rack as 0
    { labels: { rack: "r2", pod: "p1" } }, // 2 same pod as 0
    { labels: { rack: "r1", pod: "p2" } }, // 3 rack name reused in another pod
    { labels: { pod: "p1" } }, // 4 no rack: a rack of its own in p1
    {}, // 5 no labels: far from everyone
    { labels: { rack: "r9" } }, // 6 rack without pod
    { labels: { rack: "r9" } }, // 7 same rack without pod
  ];
  const t = labelTopology(hosts);
  it.each([
    { name: "same host", a: 0, b: 0, want: 0 },
    { name: "same rack", a: 0, b: 1, want: 1 },
    { name: "same pod", a: 0, b: 2, want: 3 },
    { name: "same rack name, other pod", a: 0, b: 3, want: 5 },
    { name: "no rack label, same pod", a: 0, b: 4, want: 3 },
    { name: "no labels", a: 0, b: 5, want: 5 },
    { name: "same rack, no pod label", a: 6, b: 7, want: 1 },
    { name: "rack without pod vs labelled", a: 6, b: 0, want: 5 },
  ])("$name: distance($a, $b) = $want", ({ a, b, want }) => {
    expect(t.distance(a, b)).toBe(want);
  });

  it("takes other label keys and costs", () => {
    const k8s = labelTopology(
      [{ labels: { "topology.kubernetes.io/zone": "z1", "ferry.io/rack": "a" } }, { labels: { "topology.kubernetes.io/zone": "z1", "ferry.io/rack": "b" } }],
      { rackLabel: "ferry.io/rack", podLabel: "topology.kubernetes.io/zone", costs: [2, 4, 10] },
    );
    expect(k8s.distance(0, 1)).toBe(4);
  });

  it("rejects costs that do not grow", () => {
    expect(() => labelTopology([], { costs: [3, 1, 5] })).toThrow(RangeError);
  });
});
