import { createRng } from "@ferry/random";
import { describe, expect, it } from "vitest";
import { compiled } from "../../fixtures/harness";
import type { PlacementProblem } from "../../model/problem";
import { mapOntoTopology } from "./map-topology";

/**
 * Fat-tree k = 4 (16 hosts, 2 per rack, 4 per pod) with `apps` applications of `size` VMs (2 cpu each, hosts of
 * 8 cpu), each application a clique of heavy traffic, consecutive applications joined by one light link.
 */
function cliquesOnFatTree(apps: number, size: number): PlacementProblem {
  const hosts = Array.from({ length: 16 }, (_, h) => ({ id: `h${h}`, cpu: 8, memMiB: 65536 }));
  const vms = [];
  const traffic: [string, string, number][] = [];
  for (let a = 0; a < apps; a++) {
    for (let i = 0; i < size; i++) {
      vms.push({ id: `a${a}-${i}`, cpu: 2, memMiB: 1024 });
      for (let j = 0; j < i; j++) traffic.push([`a${a}-${i}`, `a${a}-${j}`, 10]);
    }
    if (a > 0) traffic.push([`a${a}-0`, `a${a - 1}-0`, 1]);
  }
  return { hosts, vms, traffic, topology: { kind: "fat-tree", k: 4 } };
}

describe("mapping onto the topology", () => {
  it.each([
    // 8 applications of 3 VMs (6 of a host's 8 cpu): one host each.
    { name: "host-sized applications, one host each", apps: 8, size: 3, level: "host" as const },
    // 4 applications of 6 VMs (12 of a rack's 16 cpu, more than one host): one rack each.
    { name: "rack-sized applications, one rack each", apps: 4, size: 6, level: "rack" as const },
    // 2 applications of 12 VMs (24 of a pod's 32 cpu, more than one rack): one pod each.
    { name: "pod-sized applications, one pod each", apps: 2, size: 12, level: "pod" as const },
  ])("$name, within capacity", ({ apps, size, level }) => {
    const { setup } = compiled(cliquesOnFatTree(apps, size));
    const c = setup.cluster;
    const hostOf = mapOntoTopology(c, createRng(1));
    const hier = c.topology.hierarchy;
    const key = (h: number): number => (level === "host" ? h : hier.groupOf[level === "rack" ? 0 : 1][h]);
    for (let a = 0; a < apps; a++) {
      const where = new Set<number>();
      for (let i = 0; i < size; i++) where.add(key(hostOf[c.vmUnit[c.vmIndex.get(`a${a}-${i}`)!]]));
      expect(where.size).toBe(1);
    }
    const used = new Float64Array(16);
    for (let u = 0; u < c.unitCount; u++) {
      expect(hostOf[u]).toBeGreaterThanOrEqual(0);
      used[hostOf[u]] += c.unitDemand[u * c.resourceCount];
    }
    for (const x of used) expect(x).toBeLessThanOrEqual(8);
  });
});
