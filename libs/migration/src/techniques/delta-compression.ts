import { PAGE_HEADER_BYTES, XBZRLE_EXTRA_BYTES } from "../spec";
import type { PageContent } from "./technique";
import { xbzrleEncode } from "./xbzrle";
import { XbzrleCache } from "./xbzrle-cache";

/**
 * Improved pre-copy (a): delta compression of re-sent pages, following QEMU's save_xbzrle_page. The cache keeps
 * the last version of each page sent; a re-dirtied page that is still cached goes as an XBZRLE delta against it
 * when the delta fits in a page, else in full. A page that is not cached is sent in full and inserted. Nothing
 * is cached during the first round (QEMU's bulk stage), and the stop-and-copy does not update the cache.
 */
export interface DeltaStats {
  deltaPages: number;
  overflowPages: number;
  cacheMisses: number;
  /** Wire bytes of the pages sent as deltas. */
  deltaBytes: number;
}

export interface DeltaCompressor {
  /**
   * Wire bytes for sending `page` now. `generation` is the dirty-sync count, which ages cache entries. With byte
   * content the encoded delta is put in `deltas` for the transport to carry.
   */
  encode(page: number, generation: number, lastStage: boolean, deltas: Map<number, Uint8Array>): number;
  readonly stats: DeltaStats;
}

export interface DeltaOptions {
  readonly cacheBytes: number;
  readonly pageSizeBytes: number;
}

export function createDeltaCompressor(content: PageContent, options: DeltaOptions): DeltaCompressor {
  const { pageSizeBytes } = options;
  const full = pageSizeBytes + PAGE_HEADER_BYTES;
  const deltaWire = (len: number) => PAGE_HEADER_BYTES + XBZRLE_EXTRA_BYTES + len;
  const stats: DeltaStats = { deltaPages: 0, overflowPages: 0, cacheMisses: 0, deltaBytes: 0 };
  const cache = new XbzrleCache(options.cacheBytes, pageSizeBytes, content.kind === "bytes");

  if (content.kind === "bytes") {
    const cur = new Uint8Array(pageSizeBytes);
    const dst = new Uint8Array(pageSizeBytes);
    return {
      stats,
      encode(page, generation, lastStage, deltas) {
        content.readPage(page, cur);
        if (!cache.lookup(page, generation)) {
          stats.cacheMisses++;
          if (!lastStage && cache.insert(page, generation)) cache.bytesOf(page).set(cur);
          return full;
        }
        const old = cache.bytesOf(page);
        const len = xbzrleEncode(old, cur, dst);
        if (!lastStage) old.set(cur);
        if (len < 0) {
          stats.overflowPages++;
          return full;
        }
        // QEMU skips an unchanged page (len 0) altogether; it is sent here as an empty delta so that every page
        // in a batch is a page transfer.
        deltas.set(page, dst.slice(0, len));
        stats.deltaPages++;
        stats.deltaBytes += deltaWire(len);
        return deltaWire(len);
      },
    };
  }

  content.enableWriteCounts();
  return {
    stats,
    encode(page, generation, lastStage) {
      if (!cache.lookup(page, generation)) {
        stats.cacheMisses++;
        if (!lastStage) cache.insert(page, generation);
        content.markSent(page);
        return full;
      }
      const len = content.deltaBytesSinceSent(page);
      content.markSent(page);
      if (len < 0) {
        stats.overflowPages++;
        return full;
      }
      stats.deltaPages++;
      stats.deltaBytes += deltaWire(len);
      return deltaWire(len);
    },
  };
}
