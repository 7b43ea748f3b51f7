import type { Assignment } from "../model/assignment";
import type { Cluster } from "../model/cluster";
import type { Rng } from "@ferry/random";
import type { GroupMembers } from "../topology/topology";
import { groupMembers } from "../topology/topology";

/**
 * Where a unit might want to go: the hosts of its traffic neighbours, heaviest first, each followed by the
 * other hosts of its finest group (its rack / edge switch), so that a unit can join its peers' rack when their
 * host is full. A fixed cap keeps the cost per unit bounded for hub VMs with hundreds of peers. Inactive hosts
 * are skipped (no VM may move there). Optional random hosts let non-traffic terms (balance, energy) find moves
 * no neighbour suggests.
 *
 * All buffers are preallocated: collecting is allocation-free apart from sorting the neighbour hosts.
 */
export class CandidateHosts {
  readonly hosts: Int32Array;
  count = 0;
  private readonly rack: GroupMembers | undefined;
  private readonly rackOf: Int32Array | undefined;
  private readonly stamp: Int32Array;
  private readonly weight: Float64Array;
  private tick = 0;
  private anchors: number[] = [];

  constructor(
    private readonly cluster: Cluster,
    readonly cap = 96,
  ) {
    const H = cluster.hostIds.length;
    this.hosts = new Int32Array(cap);
    this.stamp = new Int32Array(H);
    this.weight = new Float64Array(H);
    const hier = cluster.topology.hierarchy;
    if (hier.groupOf.length > 0) {
      this.rackOf = hier.groupOf[0];
      this.rack = groupMembers(hier.groupOf[0].subarray(0, H), hier.groupCount[0]);
    }
  }

  /** Fills `hosts[0 .. count)` for unit u; excludes u's own host. */
  collect(a: Assignment, u: number, randomHosts = 0, rng?: Rng): number {
    const c = this.cluster;
    const { adjStart, adjTo, adjW } = c;
    const hostOf = a.hostOf;
    const stamp = this.stamp;
    const weight = this.weight;
    const own = hostOf[u];
    this.tick++;
    const t = this.tick;
    const anchors = this.anchors;
    anchors.length = 0;
    for (let e = adjStart[u]; e < adjStart[u + 1]; e++) {
      const hv = hostOf[adjTo[e]];
      if (hv < 0) continue;
      if (stamp[hv] !== t) {
        stamp[hv] = t;
        weight[hv] = 0;
        anchors.push(hv);
      }
      weight[hv] += adjW[e];
    }
    if (anchors.length > 1) anchors.sort((x, y) => weight[y] - weight[x] || x - y);
    // Second pass with a new tick: mark hosts already taken as candidates.
    this.tick++;
    const t2 = this.tick;
    if (own >= 0) stamp[own] = t2;
    let n = 0;
    const add = (h: number): void => {
      if (stamp[h] !== t2 && c.hostActive[h] === 1) {
        stamp[h] = t2;
        this.hosts[n++] = h;
      }
    };
    for (let i = 0; i < anchors.length && n < this.cap; i++) add(anchors[i]);
    if (this.rack && this.rackOf) {
      for (let i = 0; i < anchors.length && n < this.cap; i++) {
        const g = this.rackOf[anchors[i]];
        for (let k = this.rack.start[g]; k < this.rack.start[g + 1] && n < this.cap; k++) add(this.rack.hosts[k]);
      }
    }
    if (rng) {
      const H = c.hostIds.length;
      for (let i = 0; i < randomHosts && n < this.cap; i++) add(rng.int(H));
    }
    this.count = n;
    return n;
  }

  /** The hosts of u's finest group (its rack), for perturbations; empty when the topology has no groups. */
  rackHosts(h: number): Int32Array {
    if (!this.rack || !this.rackOf) return Int32Array.of(h);
    const g = this.rackOf[h];
    return this.rack.hosts.subarray(this.rack.start[g], this.rack.start[g + 1]);
  }
}
