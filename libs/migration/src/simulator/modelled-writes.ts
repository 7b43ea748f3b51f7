import type { ModelledContent } from "../techniques/technique";
import { XbzrleSizeModel } from "../techniques/xbzrle-size-model";
import type { Locality } from "../workload/locality";
import { pagesInRegion } from "../workload/locality";
import { markBernoulli } from "./bernoulli";
import { forEachSetBit, type PageSet } from "./page-set";
import { type Rng, zeroTruncatedPoisson } from "./rng";
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
    private readonly locality: Locality,
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
    for (let i = 0; i < this.runProb.length; i++) {
      const p = -Math.expm1(-meanWrites * this.runProb[i]);
      markBernoulli(this.rng, dirty.words, this.runStart[i], this.runEnd[i], p);
    }
    const counts = this.counts;
    if (!counts) return;
    const { regionPages, pageProbability } = this.locality;
    forEachSetBit(dirty.words, 0, dirty.wordCount, (page) => {
      const k = zeroTruncatedPoisson(this.rng, meanWrites * pageProbability[Math.floor(page / regionPages)]);
      counts[page] = Math.min(0xffff, counts[page] + k);
    });
  }
}
