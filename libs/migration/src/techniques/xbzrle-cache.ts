/**
 * The source's cache of the last version of each page sent, which XBZRLE deltas are taken against. Modelled on
 * QEMU's migration/page_cache.c: direct-mapped (slot = page number mod a power-of-two slot count), and an entry
 * younger than CACHED_PAGE_LIFETIME sync generations is not evicted by another page (cache_insert returns -1).
 * With byte content the cache holds the bytes; with modelled content only which page each slot holds.
 */
const CACHED_PAGE_LIFETIME = 2;

export class XbzrleCache {
  readonly slots: number;
  private readonly slotPage: Int32Array;
  private readonly slotAge: Float64Array;
  /** Cached bytes (byte content only): slot i at i * pageSizeBytes. */
  readonly data?: Uint8Array;

  constructor(
    cacheBytes: number,
    readonly pageSizeBytes: number,
    withData: boolean,
  ) {
    // QEMU requires a power-of-two number of pages; round down rather than reject.
    const pages = Math.max(1, Math.floor(cacheBytes / pageSizeBytes));
    this.slots = 2 ** Math.floor(Math.log2(pages));
    this.slotPage = new Int32Array(this.slots).fill(-1);
    this.slotAge = new Float64Array(this.slots);
    if (withData) this.data = new Uint8Array(this.slots * pageSizeBytes);
  }

  private slotOf(page: number): number {
    return page & (this.slots - 1);
  }

  /** cache_is_cached: a hit refreshes the entry's age. */
  lookup(page: number, age: number): boolean {
    const s = this.slotOf(page);
    if (this.slotPage[s] !== page) return false;
    this.slotAge[s] = age;
    return true;
  }

  /** cache_insert: false when the slot holds another, still fresh page. */
  insert(page: number, age: number): boolean {
    const s = this.slotOf(page);
    const held = this.slotPage[s];
    if (held !== -1 && held !== page && this.slotAge[s] + CACHED_PAGE_LIFETIME > age) return false;
    this.slotPage[s] = page;
    this.slotAge[s] = age;
    return true;
  }

  /** The cached bytes of a page known to be cached (byte content). */
  bytesOf(page: number): Uint8Array {
    if (!this.data) throw new Error("this cache holds no bytes");
    const off = this.slotOf(page) * this.pageSizeBytes;
    return this.data.subarray(off, off + this.pageSizeBytes);
  }
}
