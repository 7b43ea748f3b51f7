import { forEachSetBit, popcount32, type PageSet } from "../simulator/page-set";
import type { DeltaCompressor } from "./delta-compression";
import type { MigrationContext } from "./technique";
import type { WireFormat } from "./wire-format";

export interface SendSetOptions {
  readonly batchPages: number;
  /** The main stream or multifd's channels. */
  readonly wire: WireFormat;
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
 * `afterBatch`, so the set may be one of theirs. Zero pages (the source's `zeroPages`) cost a header only; pages
 * sent as deltas are never zero ones, since only pages written since they were last sent are re-sent.
 */
export async function sendPageSet(ctx: MigrationContext, set: PageSet, options: SendSetOptions): Promise<SendSetResult> {
  const { words, wordCount } = set;
  const zero = ctx.source.zeroPages?.words;
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
    let zeroPages = 0;
    if (zero) for (let i = from; i < w; i++) if ((words[i] & zero[i]) !== 0) zeroPages += popcount32(words[i] & zero[i]);
    let wire = options.wire.batchBytes(count, zeroPages);
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
    await ctx.transport.sendPages({ kind: "bitmap", words, fromWord: from, toWord: w, pageCount: count, wireBytes: wire, streams: options.wire.streams, deltas });
    pages += count;
    bytes += wire;
    options.afterBatch?.(from, w, count, wire);
  }
  return { pages, bytes, deltaPages, cancelled: false };
}

/** Multifd's channels open with a handshake each (nothing on the main stream). They connect while the target reserves. */
export async function openChannels(ctx: MigrationContext, wire: WireFormat): Promise<void> {
  if (wire.setupBytes > 0) await ctx.transport.sendPages({ kind: "list", pages: NO_PAGES, pageCount: 0, wireBytes: wire.setupBytes, streams: wire.streams });
}

/** The SYNC packet every multifd channel sends at a dirty-log sync (nothing on the main stream). */
export async function sendSync(ctx: MigrationContext, wire: WireFormat): Promise<number> {
  if (wire.syncBytes <= 0) return 0;
  await ctx.transport.sendPages({ kind: "list", pages: NO_PAGES, pageCount: 0, wireBytes: wire.syncBytes, streams: wire.streams });
  return wire.syncBytes;
}

const NO_PAGES = new Uint32Array(0);
