import type { Assignment } from "../model/assignment";
import { allHosts, newCandidates, placeBest, unplaceAll } from "./constructive";
import type { MapOptions } from "./multilevel/map-topology";
import { mapOntoTopology } from "./multilevel/map-topology";
import type { SearchContext, Solver, SolverReport } from "./solver";

/**
 * Multilevel placement, a clustering-first construction for large sparse TVMPP instances:
 *  1. map the units onto the topology top-down (multilevel/map-topology.ts): at each level of the hierarchy
 *     (pods, racks, hosts) split the node's units among its children by multilevel partitioning of their
 *     traffic graph (multilevel/coarsen.ts: heavy-edge matching; multilevel/partition.ts: graph growing on the
 *     coarsest graph; multilevel/refine-fm.ts: Fiduccia-Mattheyses refinement while uncoarsening), within the
 *     children's capacities;
 *  2. put each unit on its host if every filter admits it there;
 *  3. place the rest (units that fit nowhere in their subtree, or that a filter rejected), largest first, on
 *     their cheapest admitting host anywhere.
 * Assumes the topology's hierarchy orders distances (exact for trees, a clustering by cost otherwise). Filters
 * other than capacity (anti-affinity, hypervisor, host state) are only checked in steps 2-3.
 */
export class MultilevelPlacement implements Solver {
  readonly name = "multilevel";

  constructor(private readonly opts: MapOptions = {}) {}

  run(ctx: SearchContext, a: Assignment): SolverReport {
    const start = ctx.clock.nowMs();
    const c = ctx.cluster;
    const R = c.resourceCount;
    unplaceAll(a);
    const target = mapOntoTopology(c, ctx.rng, this.opts);
    const spilled: number[] = [];
    for (let u = 0; u < c.unitCount; u++) {
      const h = target[u];
      if (h >= 0 && ctx.framework.admits(a, u, h)) a.move(u, h);
      else spilled.push(u);
    }
    const size = (u: number): number => {
      let s = 0;
      for (let r = 0; r < R; r++) s += c.unitDemand[u * R + r] / Math.max(1e-9, c.hostCapacity[r]);
      return s;
    };
    spilled.sort((x, y) => size(y) - size(x) || x - y);
    const cands = newCandidates(ctx);
    const all = allHosts(ctx);
    const scratch = new Float64Array(Math.max(all.length, cands.cap));
    for (const u of spilled) placeBest(ctx, a, u, cands, all, scratch);
    return { solver: this.name, objective: ctx.framework.objective.total(a), iterations: spilled.length, elapsedMs: ctx.clock.nowMs() - start };
  }
}
