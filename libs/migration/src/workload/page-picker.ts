import type { Rng } from "@ferry/random";
import { AliasTable } from "../simulator/alias-table";
import { type Locality, pagesInRegion } from "./locality";

/**
 * Draws the page one access lands on, following a locality: a region by alias table, then a page in it. The
 * simulator's byte writes and a node agent's real guest workload both draw their writes with it.
 */
export class PagePicker {
  private readonly regions: AliasTable;

  constructor(private readonly locality: Locality) {
    const { pageCount, regionPages, regionCount, pageProbability } = locality;
    const weights = new Float64Array(regionCount);
    for (let r = 0; r < regionCount; r++) weights[r] = pageProbability[r] * pagesInRegion(pageCount, regionPages, r);
    this.regions = new AliasTable(weights);
  }

  pick(rng: Rng): number {
    const { pageCount, regionPages } = this.locality;
    const r = this.regions.sample(rng);
    return r * regionPages + rng.int(pagesInRegion(pageCount, regionPages, r));
  }
}
