import type { Assignment } from "../model/assignment";
import { ejectAndPlace, firstAdmitting, unplaceAll } from "./constructive";
import type { SearchContext, Solver, SolverReport } from "./solver";

/** Baseline: units in arrival (input) order, each on the first admitting host in host order. */
export class FirstFit implements Solver {
  readonly name = "first-fit";

  run(ctx: SearchContext, a: Assignment): SolverReport {
    const start = ctx.clock.nowMs();
    unplaceAll(a);
    for (let u = 0; u < ctx.cluster.unitCount; u++) {
      const h = firstAdmitting(ctx, a, u, 0);
      if (h < 0) ejectAndPlace(ctx, a, u);
      else a.move(u, h);
    }
    return { solver: this.name, objective: ctx.framework.objective.total(a), iterations: ctx.cluster.unitCount, elapsedMs: ctx.clock.nowMs() - start };
  }
}
