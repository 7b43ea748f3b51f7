import { type Locality, type LocalityModel, regionCountOf } from "./locality";

/** Every page is equally likely: the worst case for pre-copy convergence at a given write rate. */
export const uniformLocality: LocalityModel<{ kind: "uniform" }> = {
  kind: "uniform",
  build(_spec, pageCount, regionPages): Locality {
    const regionCount = regionCountOf(pageCount, regionPages);
    return {
      name: "uniform",
      pageCount,
      regionPages,
      regionCount,
      pageProbability: new Float64Array(regionCount).fill(1 / pageCount),
    };
  },
  classes(_spec, pageCount) {
    return [{ pageProbability: 1 / pageCount, pages: pageCount }];
  },
};
