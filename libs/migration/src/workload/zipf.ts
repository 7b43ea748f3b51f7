import { randomPermutation } from "@ferry/random";
import { type Locality, type LocalityClass, type LocalityModel, pagesInRegion, regionCountOf } from "./locality";

type ZipfSpec = { kind: "zipf"; exponent: number };

/**
 * Zipf popularity over regions: the region of rank k (1-based) is accessed in proportion to 1 / k^s. Ranks are
 * dealt to regions in a seeded random order, so hot regions are scattered through memory as a real heap's are.
 */
export const zipfLocality: LocalityModel<ZipfSpec> = {
  kind: "zipf",
  build(spec, pageCount, regionPages, rng): Locality {
    const regionCount = regionCountOf(pageCount, regionPages);
    const rankOf = randomPermutation(rng, regionCount);
    const weight = new Float64Array(regionCount);
    let total = 0;
    for (let r = 0; r < regionCount; r++) {
      weight[r] = Math.pow(rankOf[r] + 1, -spec.exponent);
      total += weight[r] * pagesInRegion(pageCount, regionPages, r);
    }
    for (let r = 0; r < regionCount; r++) weight[r] /= total;
    return { name: `zipf:${spec.exponent}`, pageCount, regionPages, regionCount, pageProbability: weight };
  },
  classes(spec, pageCount, regionPages): LocalityClass[] {
    // Ranks are grouped into buckets whose probabilities differ by at most 2%, so a 16 GiB VM (65536 regions)
    // needs a few hundred classes, not 65536; treating every region as full shifts < regionPages pages.
    const regionCount = regionCountOf(pageCount, regionPages);
    let total = 0;
    for (let k = 1; k <= regionCount; k++) total += Math.pow(k, -spec.exponent) * regionPages;
    const out: LocalityClass[] = [];
    let k = 1;
    while (k <= regionCount) {
      const first = Math.pow(k, -spec.exponent);
      let end = k;
      let sum = 0;
      while (end <= regionCount && Math.pow(end, -spec.exponent) >= first * 0.98) {
        sum += Math.pow(end, -spec.exponent);
        end++;
      }
      const n = end - k;
      out.push({ pageProbability: sum / n / total, pages: n * regionPages });
      k = end;
    }
    const excess = regionCount * regionPages - pageCount;
    if (excess > 0) {
      const last = out[out.length - 1];
      out[out.length - 1] = { pageProbability: last.pageProbability, pages: last.pages - excess };
    }
    return out.filter((c) => c.pages > 0);
  },
};

