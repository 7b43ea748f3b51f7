import { describe, expect, it } from "vitest";
import { node, smallFabric } from "./fixtures/builders";
import { DEFAULT_LINKS } from "./limits";
import { buildFabric } from "./links";

describe("buildFabric", () => {
  const fabric = buildFabric(smallFabric(), DEFAULT_LINKS);

  it.each([
    { name: "same rack: two host links", from: "a1", to: "a2", want: ["host:a1:up", "host:a2:down"] },
    { name: "same pod: up to the rack switch and down", from: "a1", to: "b1", want: ["host:a1:up", "rack:p1/a:up", "rack:p1/b:down", "host:b1:down"] },
    {
      name: "across pods: through the core",
      from: "a1",
      to: "d2",
      want: ["host:a1:up", "rack:p1/a:up", "pod:p1:up", "pod:p2:down", "rack:p2/d:down", "host:d2:down"],
    },
  ])("$name", ({ from, to, want }) => {
    expect(fabric.path(from, to)).toEqual(want);
  });

  it.each([
    { name: "defaults", nodes: smallFabric(), link: "rack:p1/a:up", want: DEFAULT_LINKS.rackUplinkMbps },
    {
      name: "a host label overrides its own uplink",
      nodes: [node("x", "r", "p", { labels: { rack: "r", pod: "p", "host-uplink-mbps": "25000" } })],
      link: "host:x:down",
      want: 25_000,
    },
    {
      name: "a rack takes the smallest capacity its members state, even above the default",
      nodes: [
        node("x", "r", "p", { labels: { rack: "r", pod: "p", "rack-uplink-mbps": "100000" } }),
        node("y", "r", "p", { labels: { rack: "r", pod: "p", "rack-uplink-mbps": "80000" } }),
        node("z", "r", "p"),
      ],
      link: "rack:p/r:up",
      want: 80_000,
    },
  ])("capacity: $name", ({ nodes, link, want }) => {
    expect(buildFabric(nodes, DEFAULT_LINKS).capacityMbps.get(link)).toBe(want);
  });

  it("a node without labels is a rack and pod of its own", () => {
    const f = buildFabric([{ id: "lone", capacity: { cpu: 1, memMiB: 1 }, used: { cpu: 0, memMiB: 0 } }, node("a1", "a", "p1")], DEFAULT_LINKS);
    expect(f.path("lone", "a1")).toEqual(["host:lone:up", "rack:node-lone:up", "pod:node-lone:up", "pod:p1:down", "rack:p1/a:down", "host:a1:down"]);
  });

  it("refuses a label that is not a positive number", () => {
    expect(() => buildFabric([node("x", "r", "p", { labels: { "host-uplink-mbps": "fast" } })], DEFAULT_LINKS)).toThrow(/host-uplink-mbps/);
  });
});
