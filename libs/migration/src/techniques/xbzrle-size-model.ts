import { createRng } from "@ferry/random";
import { xbzrleEncode } from "./xbzrle";

/**
 * Delta sizes for modelled content. A page written k times since it was last sent gets the encoded size of a
 * real XBZRLE encoding of a page in which k writes of `writeBytes` random bytes landed at random aligned offsets:
 * the table is built by running the real encoder on such pages (SAMPLES per k, fixed seed, built lazily per k and
 * kept for the process), and a run draws one of the SAMPLES sizes per page. -1 marks an overflow (the encoding
 * would be larger than a page: the full page is sent). Each row comes from its own seed, so a size never depends on
 * which rows an earlier run in the same process happened to build.
 */
const SAMPLES = 16;
const TABLE_SEED = 0x5eed;

export class XbzrleSizeModel {
  private readonly rows: Int32Array[] = [];
  private readonly slots: number;
  /** Past this many writes a page is as scrambled as it gets (every slot written many times over): reuse its row. */
  private readonly writesCap: number;
  private readonly old: Uint8Array;
  private readonly cur: Uint8Array;
  private readonly dst: Uint8Array;

  private constructor(
    readonly pageSizeBytes: number,
    readonly writeBytes: number,
  ) {
    this.slots = Math.max(1, Math.floor(pageSizeBytes / writeBytes));
    this.writesCap = Math.max(16, this.slots * 8);
    this.old = new Uint8Array(pageSizeBytes);
    this.cur = new Uint8Array(pageSizeBytes);
    this.dst = new Uint8Array(pageSizeBytes);
  }

  private static readonly shared = new Map<string, XbzrleSizeModel>();

  static for(pageSizeBytes: number, writeBytes: number): XbzrleSizeModel {
    const key = `${pageSizeBytes}/${writeBytes}`;
    let m = XbzrleSizeModel.shared.get(key);
    if (!m) {
      m = new XbzrleSizeModel(pageSizeBytes, writeBytes);
      XbzrleSizeModel.shared.set(key, m);
    }
    return m;
  }

  /** Encoded length (or -1) of sample `sample` (0..SAMPLES-1) for a page written k >= 1 times. */
  size(writes: number, sample: number): number {
    return this.row(Math.min(Math.max(1, writes), this.writesCap))[sample % SAMPLES];
  }

  /** Mean encoded bytes for k writes, an overflow counting as a full page: what the predictor uses. */
  meanEncodedBytes(writes: number): number {
    let sum = 0;
    for (let s = 0; s < SAMPLES; s++) {
      const v = this.size(writes, s);
      sum += v < 0 ? this.pageSizeBytes : v;
    }
    return sum / SAMPLES;
  }

  static readonly SAMPLES = SAMPLES;

  private row(writes: number): Int32Array {
    let r = this.rows[writes];
    if (r) return r;
    // One stream per k, so a row does not depend on which rows were built before it.
    const rng = createRng(TABLE_SEED + writes);
    r = new Int32Array(SAMPLES);
    for (let s = 0; s < SAMPLES; s++) {
      this.cur.set(this.old);
      for (let w = 0; w < writes; w++) {
        const at = rng.int(this.slots) * this.writeBytes;
        for (let b = 0; b < this.writeBytes; b++) this.cur[at + b] = rng.u32() & 0xff;
      }
      r[s] = xbzrleEncode(this.old, this.cur, this.dst);
    }
    this.rows[writes] = r;
    return r;
  }
}
