import { PAGE_HEADER_BYTES } from "../spec";
import { forEachSetBit, popcount32, type PageSet } from "../simulator/page-set";
import type { DeltaCompressor } from "./delta-compression";
import type { MigrationContext } from "./technique";

export interface SendSetOptions {
  readonly batchPages: number;
  /** Delta-encode the pages (rounds after the first, and the stop-and-copy). */
  readonly delta?: { readonly compressor: DeltaCompressor; readonly generation: number; readonly lastStage: boolean };
  /** Stop between batches when the signal fires (only while the migration can still be cancelled). */
  readonly signal?: AbortSignal;
  /** After each batch: the words [fromWord, toWord) of the set have been sent. */
  readonly afterBatch?: (fromWord: number, toWord: number, pages: number, bytes: number) => void;
}

export interface SendSetResult {
  readonly pages: number;
  readonly bytes: number;
  readonly deltaPages: number;
  readonly cancelled: boolean;
}

/**
 * Sends every page of a set, in address order, in bitmap batches of about `batchPages` pages (whole words, so a
 * batch is a slice of the set's own words and nothing is copied). Callers clear sent pages from their sets in
 * `afterBatch`, so the set may be one of theirs.
 */
export async function sendPageSet(ctx: MigrationContext, set: PageSet, options: SendSetOptions): Promise<SendSetResult> {
  const { words, wordCount } = set;
  const fullPage = ctx.source.pageSizeBytes + PAGE_HEADER_BYTES;
  let pages = 0;
  let bytes = 0;
  let deltaPages = 0;
  let w = 0;
  while (w < wordCount) {
    if (options.signal?.aborted) return { pages, bytes, deltaPages, cancelled: true };
    const from = w;
    let count = 0;
    while (w < wordCount && count < options.batchPages) {
      const x = words[w++];
      if (x !== 0) count += popcount32(x);
    }
    if (count === 0) break;
    let wire = count * fullPage;
    let deltas: Map<number, Uint8Array> | undefined;
    const delta = options.delta;
    if (delta) {
      const map = new Map<number, Uint8Array>();
      const before = delta.compressor.stats.deltaPages;
      wire = 0;
      forEachSetBit(words, from, w, (page) => {
        wire += delta.compressor.encode(page, delta.generation, delta.lastStage, map);
      });
      deltaPages += delta.compressor.stats.deltaPages - before;
      if (map.size > 0) deltas = map;
    }
    await ctx.transport.sendPages({ kind: "bitmap", words, fromWord: from, toWord: w, pageCount: count, wireBytes: wire, deltas });
    pages += count;
    bytes += wire;
    options.afterBatch?.(from, w, count, wire);
  }
  return { pages, bytes, deltaPages, cancelled: false };
}
