import type { Assignment } from "../model/assignment";
import { ejectAndPlace, firstAdmitting, unplaceAll } from "./constructive";
import type { SearchContext, Solver, SolverReport } from "./solver";
import { randomOrder } from "./solver";

/** Baseline: units in random order, each on a random admitting host (32 tries, then the first from a random offset). */
export class RandomPlacement implements Solver {
  readonly name = "random";

  run(ctx: SearchContext, a: Assignment): SolverReport {
    const start = ctx.clock.nowMs();
    unplaceAll(a);
    const H = ctx.cluster.hostIds.length;
    for (const u of randomOrder(ctx.cluster.unitCount, ctx.rng)) {
      let host = -1;
      for (let t = 0; t < 32 && host < 0; t++) {
        const h = ctx.rng.int(H);
        if (ctx.framework.admits(a, u, h)) host = h;
      }
      if (host < 0) host = firstAdmitting(ctx, a, u, ctx.rng.int(H));
      if (host < 0) ejectAndPlace(ctx, a, u);
      else a.move(u, host);
    }
    return { solver: this.name, objective: ctx.framework.objective.total(a), iterations: ctx.cluster.unitCount, elapsedMs: ctx.clock.nowMs() - start };
  }
}
