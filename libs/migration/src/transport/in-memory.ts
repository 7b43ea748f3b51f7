import type { SimulatedClock } from "../simulator/clock";
import type { PageSet } from "../simulator/page-set";
import type { SimulatedTarget } from "../simulator/target-vm";
import { DISCARD_RANGE_BYTES, PAGE_REQUEST_BYTES } from "../spec";
import type { LinkModel } from "./link-model";
import { forEachBatchPage, type PageBatch, type SendReceipt, type Transport, type TransportStats } from "./transport";

export interface InMemoryTransportOptions {
  readonly link: LinkModel;
  readonly clock: SimulatedClock;
  readonly target: SimulatedTarget;
  readonly pageSizeBytes: number;
  /** Time the target takes to reserve CPU and memory, on top of the request's round trip. */
  readonly reservationMs: number;
  /** Reads a source page's bytes, when pages carry real bytes: they are copied into the target's memory. */
  readonly readPage?: (page: number, out: Uint8Array) => void;
  /** Count how many times each page is sent (tests of the exactly-once invariant). */
  readonly countSends?: boolean;
}

/**
 * The transport the simulator uses: a real implementation of `Transport` that moves batches (and, with byte
 * content, the bytes) between a source and a target in the same process, timed by a link model. The link is a
 * FIFO pipe: a send starts when the previous one has left, takes its bytes over the (possibly changing) bandwidth
 * share, and arrives one-way latency (rtt / 2) later. Sending advances the simulated clock to when the batch has
 * left, which is when the technique may go on.
 */
export class InMemoryTransport implements Transport {
  readonly name = "in-memory";
  private linkFreeAtMs = 0;
  private lastArrivalMs = 0;
  private pagesSent = 0;
  private bytesSent = 0;
  private requestBytes = 0;
  private pageRequests = 0;
  readonly sendCounts?: Uint16Array;
  private readonly pageBuf: Uint8Array;

  constructor(private readonly o: InMemoryTransportOptions) {
    if (o.countSends) this.sendCounts = new Uint16Array(o.target.present.size);
    this.pageBuf = new Uint8Array(o.pageSizeBytes);
  }

  async reserveTarget(): Promise<void> {
    const done = this.o.clock.now() + this.o.link.rttMs + this.o.reservationMs;
    await this.o.clock.advanceTo(done);
  }

  async sendPages(batch: PageBatch): Promise<SendReceipt> {
    const receipt = this.transmit(batch.wireBytes, batch.streams);
    this.pagesSent += batch.pageCount;
    const counts = this.sendCounts;
    if (counts) forEachBatchPage(batch, (p) => counts[p]++);
    if (this.o.readPage) this.copyBytes(batch);
    this.o.target.deliver(batch, receipt.arrivalMs);
    await this.o.clock.advanceTo(receipt.endMs);
    return receipt;
  }

  async sendDiscard(pages: PageSet): Promise<SendReceipt> {
    const receipt = this.transmit(pages.runCount() * DISCARD_RANGE_BYTES);
    this.o.target.discard(pages);
    await this.o.clock.advanceTo(receipt.endMs);
    return receipt;
  }

  async sendState(bytes: number): Promise<SendReceipt> {
    const receipt = this.transmit(bytes);
    await this.o.clock.advanceTo(receipt.arrivalMs);
    return receipt;
  }

  takePageRequests(): readonly number[] {
    const requests = this.o.target.collectRequests(this.o.clock.now() - this.o.link.rttMs / 2);
    this.pageRequests += requests.length;
    this.requestBytes += requests.length * PAGE_REQUEST_BYTES;
    return requests;
  }

  async flush(): Promise<void> {
    await this.o.clock.advanceTo(this.lastArrivalMs);
    this.o.target.advance(this.lastArrivalMs);
  }

  rttMs(): number {
    return this.o.link.rttMs;
  }

  stats(): TransportStats {
    return {
      pagesSent: this.pagesSent,
      bytesSent: this.bytesSent,
      requestBytes: this.requestBytes,
      pageRequests: this.pageRequests,
    };
  }

  private transmit(bytes: number, streams = 1): SendReceipt {
    const startMs = Math.max(this.o.clock.now(), this.linkFreeAtMs);
    const endMs = this.o.link.finishTime(startMs, bytes, streams);
    const arrivalMs = endMs + this.o.link.rttMs / 2;
    this.linkFreeAtMs = endMs;
    this.lastArrivalMs = Math.max(this.lastArrivalMs, arrivalMs);
    this.bytesSent += bytes;
    return { startMs, endMs, arrivalMs, bytes };
  }

  private copyBytes(batch: PageBatch): void {
    const readPage = this.o.readPage!;
    forEachBatchPage(batch, (page) => {
      const delta = batch.deltas?.get(page);
      if (delta) this.o.target.applyDelta(page, delta);
      else {
        readPage(page, this.pageBuf);
        this.o.target.writePage(page, this.pageBuf);
      }
    });
  }
}
