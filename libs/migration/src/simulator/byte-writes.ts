import type { ByteContent } from "../techniques/technique";
import type { Locality } from "../workload/locality";
import { PagePicker } from "../workload/page-picker";
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
  private readonly picker: PagePicker;
  private readonly slots: number;

  constructor(
    locality: Locality,
    private readonly rng: Rng,
    contentRng: Rng,
    private readonly pageSizeBytes: number,
    private readonly writeBytes: number,
  ) {
    this.memory = new Uint8Array(locality.pageCount * pageSizeBytes);
    fillRandom(new Uint32Array(this.memory.buffer), contentRng.u32() | 1);
    this.picker = new PagePicker(locality);
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
    for (let i = 0; i < n; i++) {
      const page = this.picker.pick(this.rng);
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
