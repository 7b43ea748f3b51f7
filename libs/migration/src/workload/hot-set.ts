import { randomPermutation } from "@ferry/random";
import { type Locality, type LocalityClass, type LocalityModel, pagesInRegion, regionCountOf } from "./locality";

type HotSetSpec = { kind: "hotset"; fraction: number; share: number };

/**
 * A hot set (the writable working set of Clark et al.): whole regions, chosen at random, hold `fraction` of the
 * memory and receive `share` of the accesses. With share 1 nothing outside the hot set is ever written.
 */
export const hotSetLocality: LocalityModel<HotSetSpec> = {
  kind: "hotset",
  build(spec, pageCount, regionPages, rng): Locality {
    const regionCount = regionCountOf(pageCount, regionPages);
    const order = randomPermutation(rng, regionCount);
    const hotRegions = hotRegionCount(spec, regionCount);
    const isHot = new Uint8Array(regionCount);
    let hotPages = 0;
    for (let i = 0; i < hotRegions; i++) {
      isHot[order[i]] = 1;
      hotPages += pagesInRegion(pageCount, regionPages, order[i]);
    }
    const [hot, cold] = probabilities(spec, hotPages, pageCount - hotPages);
    const pageProbability = new Float64Array(regionCount);
    for (let r = 0; r < regionCount; r++) pageProbability[r] = isHot[r] ? hot : cold;
    return { name: `hotset:${spec.fraction}:${spec.share}`, pageCount, regionPages, regionCount, pageProbability };
  },
  classes(spec, pageCount, regionPages): LocalityClass[] {
    // The partial last region, if any, may or may not be hot; counting it as cold changes < regionPages pages.
    const regionCount = regionCountOf(pageCount, regionPages);
    const hotPages = Math.min(pageCount, hotRegionCount(spec, regionCount) * regionPages);
    const [hot, cold] = probabilities(spec, hotPages, pageCount - hotPages);
    return [
      { pageProbability: hot, pages: hotPages },
      { pageProbability: cold, pages: pageCount - hotPages },
    ].filter((c) => c.pages > 0);
  },
};

function hotRegionCount(spec: HotSetSpec, regionCount: number): number {
  return Math.min(regionCount, Math.max(1, Math.round(spec.fraction * regionCount)));
}

function probabilities(spec: HotSetSpec, hotPages: number, coldPages: number): [number, number] {
  if (coldPages === 0) return [1 / hotPages, 0];
  return [spec.share / hotPages, (1 - spec.share) / coldPages];
}
