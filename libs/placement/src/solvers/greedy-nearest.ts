import type { Assignment } from "../model/assignment";
import { allHosts, ejectAndPlace, unplaceAll } from "./constructive";
import type { SearchContext, Solver, SolverReport } from "./solver";

/**
 * Baseline modelled on the Kubernetes network-aware scheduler plugins (NetworkOverhead with an AppGroup
 * topological order): units one at a time in arrival order, each on the admitting host that adds the least
 * objective (traffic x distance to the peers already placed), every host considered; ties go to the lower host
 * index, which packs like first-fit when a unit has no placed peers. Running VMs are never moved.
 */
export class GreedyNearest implements Solver {
  readonly name = "greedy-nearest";

  run(ctx: SearchContext, a: Assignment): SolverReport {
    const start = ctx.clock.nowMs();
    unplaceAll(a);
    const hosts = allHosts(ctx);
    const deltas = new Float64Array(hosts.length);
    const fw = ctx.framework;
    for (let u = 0; u < ctx.cluster.unitCount; u++) {
      fw.objective.moveDeltas(a, u, hosts, hosts.length, deltas);
      let best = -1;
      for (let h = 0; h < hosts.length; h++) {
        if ((best < 0 || deltas[h] < deltas[best] - 1e-9) && fw.admits(a, u, h)) best = h;
      }
      if (best < 0) ejectAndPlace(ctx, a, u);
      else a.move(u, best);
    }
    return { solver: this.name, objective: fw.objective.total(a), iterations: ctx.cluster.unitCount, elapsedMs: ctx.clock.nowMs() - start };
  }
}
