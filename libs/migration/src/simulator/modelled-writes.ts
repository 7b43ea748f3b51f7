import type { ModelledContent } from "../techniques/technique";
import { XbzrleSizeModel } from "../techniques/xbzrle-size-model";
import type { Locality } from "../workload/locality";
import { pagesInRegion } from "../workload/locality";
import { markBernoulli } from "./bernoulli";
import type { PageSet } from "./page-set";
import { type Rng } from "@ferry/random";
import { zeroTruncatedPoisson } from "./poisson";
import type { WriteGenerator } from "./write-generator";

/**
 * Writes without bytes: the fast default. In an interval with `meanWrites` expected writes, page i (access
 * probability p_i) is written a Poisson(meanWrites * p_i) number of times, independently of every other page (a
 * Poisson stream split by page), so it is dirty with probability 1 - exp(-meanWrites * p_i). Pages of equal
 * probability are drawn together, 32 at a time (bernoulli.ts), so an interval costs about pageCount / 32 random
 * words whatever the write rate.
 *
 * With write counting on (delta compression), every dirty page also draws how many writes it took (a
 * zero-truncated Poisson) and keeps the sum since it was last sent; its delta size is then drawn from the real
 * encoder's table for that many writes (XbzrleSizeModel).
 */
export class ModelledWrites implements WriteGenerator {
  readonly content: ModelledContent;
  private readonly runStart: Int32Array;
  private readonly runEnd: Int32Array;
  private readonly runProb: Float64Array;
  private counts?: Uint16Array;

  constructor(
    locality: Locality,
    private readonly rng: Rng,
    deltaRng: Rng,
    pageSizeBytes: number,
    writeBytes: number,
  ) {
    const starts: number[] = [];
    const ends: number[] = [];
    const probs: number[] = [];
    const { regionPages, regionCount, pageCount, pageProbability } = locality;
    for (let r = 0; r < regionCount; r++) {
      const start = r * regionPages;
      const end = start + pagesInRegion(pageCount, regionPages, r);
      const last = probs.length - 1;
      if (last >= 0 && probs[last] === pageProbability[r] && ends[last] === start) ends[last] = end;
      else {
        starts.push(start);
        ends.push(end);
        probs.push(pageProbability[r]);
      }
    }
    this.runStart = Int32Array.from(starts);
    this.runEnd = Int32Array.from(ends);
    this.runProb = Float64Array.from(probs);
    const sizes = XbzrleSizeModel.for(pageSizeBytes, writeBytes);
    const self = this;
    this.content = {
      kind: "modelled",
      enableWriteCounts() {
        self.counts ??= new Uint16Array(locality.pageCount);
      },
      deltaBytesSinceSent(page: number) {
        const k = self.counts ? self.counts[page] : 0;
        return k === 0 ? 0 : sizes.size(k, deltaRng.int(XbzrleSizeModel.SAMPLES));
      },
      markSent(page: number) {
        if (self.counts) self.counts[page] = 0;
      },
    };
  }

  generate(meanWrites: number, dirty: PageSet): void {
    if (meanWrites <= 0) return;
    const counts = this.counts;
    let cdf: Float64Array | undefined;
    let cdfLambda = -1;
    for (let i = 0; i < this.runProb.length; i++) {
      const lambda = meanWrites * this.runProb[i];
      const start = this.runStart[i];
      const end = this.runEnd[i];
      markBernoulli(this.rng, dirty.words, start, end, -Math.expm1(-lambda));
      if (!counts || lambda <= 0) continue;
      // Every page of a run has the same write rate, so one table of the truncated Poisson serves the run (and
      // the next runs with the same rate: a hot set's regions all share one).
      if (lambda !== cdfLambda) {
        cdf = lambda < 30 ? truncatedPoissonCdf(lambda) : undefined;
        cdfLambda = lambda;
      }
      const words = dirty.words;
      const rng = this.rng;
      for (let w = start >>> 5; w <= (end - 1) >>> 5; w++) {
        let x = words[w];
        if (w === start >>> 5) x &= 0xffffffff << (start & 31);
        if (w === (end - 1) >>> 5 && (end & 31) !== 0) x &= (1 << (end & 31)) - 1;
        while (x !== 0) {
          const t = x & -x;
          x ^= t;
          const page = (w << 5) + 31 - Math.clz32(t);
          let k = 1;
          if (cdf) {
            const u = rng.next();
            while (k < cdf.length && cdf[k] <= u) k++;
          } else k = zeroTruncatedPoisson(rng, lambda);
          const c = counts[page] + k;
          counts[page] = c > 0xffff ? 0xffff : c;
        }
      }
    }
  }
}

/** cdf[k] = P(K <= k) for K ~ Poisson(lambda) given K >= 1, k >= 1, up to where it reaches 1 - 1e-12. */
function truncatedPoissonCdf(lambda: number): Float64Array {
  const e = Math.exp(-lambda);
  const norm = 1 - e;
  const out: number[] = [0];
  let pk = e;
  let cum = 0;
  for (let k = 1; k < 200; k++) {
    pk *= lambda / k;
    cum += pk / norm;
    out.push(cum);
    if (cum >= 1 - 1e-12 && k > lambda) break;
  }
  return Float64Array.from(out);
}
