import type { ByteContent } from "../techniques/technique";
import type { Locality } from "../workload/locality";
import { pagesInRegion } from "../workload/locality";
import { AliasTable } from "./alias-table";
import type { PageSet } from "./page-set";
import { type Rng } from "@ferry/random";
import { poisson } from "./poisson";

/**
 * Writes with real bytes, for VMs small enough to hold (the run keeps source memory, the XBZRLE cache and target
 * memory). Each write picks a page by the locality (a region by alias table, then a page in it), an aligned slot
 * of `writeBytes`, and stores random bytes there. Memory starts as random bytes. Delta compression then runs the
 * real XBZRLE encoder, and the target decodes what it receives, so a run can check that the target ends with
 * exactly the source's memory.
 */
export class ByteWrites {
  readonly memory: Uint8Array;
  readonly content: ByteContent;
  private readonly regions: AliasTable;
  private readonly slots: number;

  constructor(
    private readonly locality: Locality,
    private readonly rng: Rng,
    contentRng: Rng,
    private readonly pageSizeBytes: number,
    private readonly writeBytes: number,
  ) {
    const { pageCount, regionPages, regionCount, pageProbability } = locality;
    this.memory = new Uint8Array(pageCount * pageSizeBytes);
    fillRandom(new Uint32Array(this.memory.buffer), contentRng.u32() | 1);
    const weights = new Float64Array(regionCount);
    for (let r = 0; r < regionCount; r++) weights[r] = pageProbability[r] * pagesInRegion(pageCount, regionPages, r);
    this.regions = new AliasTable(weights);
    this.slots = Math.floor(pageSizeBytes / writeBytes);
    const memory = this.memory;
    this.content = {
      kind: "bytes",
      readPage(page: number, out: Uint8Array) {
        out.set(memory.subarray(page * pageSizeBytes, (page + 1) * pageSizeBytes));
      },
    };
  }

  generate(meanWrites: number, dirty: PageSet): void {
    const n = poisson(this.rng, meanWrites);
    const { pageCount, regionPages } = this.locality;
    for (let i = 0; i < n; i++) {
      const r = this.regions.sample(this.rng);
      const page = r * regionPages + this.rng.int(pagesInRegion(pageCount, regionPages, r));
      const at = page * this.pageSizeBytes + this.rng.int(this.slots) * this.writeBytes;
      for (let b = 0; b < this.writeBytes; b += 4) {
        const v = this.rng.u32();
        const n4 = Math.min(4, this.writeBytes - b);
        for (let k = 0; k < n4; k++) this.memory[at + b + k] = (v >>> (8 * k)) & 0xff;
      }
      dirty.add(page);
    }
  }
}

/** Fills with xorshift32 output: initial memory only needs to be arbitrary and reproducible, and this is fast. */
function fillRandom(words: Uint32Array, seed: number): void {
  let x = seed | 0;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
}
