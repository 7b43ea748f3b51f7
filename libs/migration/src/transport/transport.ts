import type { PageSet } from "../simulator/page-set";
import { forEachSetBit } from "../simulator/page-set";

/**
 * The channel between the source and the target that every technique talks to. Batch-oriented: one call moves
 * a whole batch of pages (a slice of a bitmap or a list), so a 16 GiB VM costs a few thousand calls, not four
 * million. Every call may be asynchronous: the in-memory transport advances simulated time, a TCP transport
 * between two node agents moves real bytes and lets wall time pass; technique code cannot tell them apart.
 *
 * Contract:
 * - Calls are made one at a time (the technique awaits each before the next) and in stream order: the target
 *   receives batches, discards and state in the order they were sent.
 * - A batch object (and the bitmap or list it points to) is only read during the call; the caller may reuse it.
 * - Pages sent as deltas carry their encoded bytes in `deltas` when the source has real content; otherwise the
 *   transport reads full pages from the source VM itself.
 */
export interface BitmapBatch {
  readonly kind: "bitmap";
  /** The pages are the set bits of words[fromWord, toWord). */
  readonly words: Uint32Array;
  readonly fromWord: number;
  readonly toWord: number;
  readonly pageCount: number;
  /** Bytes this batch puts on the wire, page headers and delta encodings included. */
  readonly wireBytes: number;
  /** Parallel streams the batch is spread over (multifd's channels); 1 when absent. */
  readonly streams?: number;
  readonly deltas?: ReadonlyMap<number, Uint8Array>;
}

export interface ListBatch {
  readonly kind: "list";
  /** The pages, in the order they are sent. */
  readonly pages: Uint32Array;
  readonly pageCount: number;
  readonly wireBytes: number;
  readonly streams?: number;
  readonly deltas?: ReadonlyMap<number, Uint8Array>;
}

export type PageBatch = BitmapBatch | ListBatch;

export interface SendReceipt {
  /** When the first byte left the source. */
  readonly startMs: number;
  /** When the last byte left the source (the next send can start then). */
  readonly endMs: number;
  /** When the target has it (one-way latency later). */
  readonly arrivalMs: number;
  readonly bytes: number;
}

export interface TransportStats {
  /** Page transfers, duplicates included. */
  readonly pagesSent: number;
  /** Source-to-target bytes: pages, deltas, discards and state. */
  readonly bytesSent: number;
  /** Target-to-source bytes: post-copy page requests. */
  readonly requestBytes: number;
  readonly pageRequests: number;
}

export interface Transport {
  readonly name: string;
  /** Reserves CPU and memory for the VM on the target; resolves when the target confirms. */
  reserveTarget(memoryBytes: number): Promise<void>;
  /** Sends pages; resolves when the batch has left the source. */
  sendPages(batch: PageBatch): Promise<SendReceipt>;
  /** Tells the target that these pages are stale (dirtied after they were sent) before it resumes in post-copy. */
  sendDiscard(pages: PageSet): Promise<SendReceipt>;
  /** Sends the CPU and device state; resolves when the target has it and everything sent before it. */
  sendState(bytes: number): Promise<SendReceipt>;
  /** Page requests (faults) from the target that have reached the source, oldest first, each returned once. */
  takePageRequests(): readonly number[];
  /** Resolves when everything sent so far has reached the target. */
  flush(): Promise<void>;
  /** Round-trip time, configured or measured. */
  rttMs(): number;
  stats(): TransportStats;
}

/** Calls fn for every page of a batch, in send order. */
export function forEachBatchPage(batch: PageBatch, fn: (page: number) => void): void {
  if (batch.kind === "bitmap") {
    forEachSetBit(batch.words, batch.fromWord, batch.toWord, fn);
  } else {
    for (let i = 0; i < batch.pageCount; i++) fn(batch.pages[i]);
  }
}
