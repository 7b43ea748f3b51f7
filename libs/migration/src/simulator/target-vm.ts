import type { TargetVm } from "../techniques/technique";
import { xbzrleDecode } from "../techniques/xbzrle";
import type { PageBatch } from "../transport/transport";
import { forEachBatchPage } from "../transport/transport";
import type { Locality } from "../workload/locality";
import { pagesInRegion } from "../workload/locality";
import type { Clock } from "./clock";
import { FenwickTree } from "./fenwick";
import { PageSet, popcount32 } from "./page-set";
import type { Rng } from "@ferry/random";
import type { WorkMeter } from "./work-meter";

export interface SimulatedTargetOptions {
  readonly locality: Locality;
  readonly pageSizeBytes: number;
  /** Page touches (reads and writes) per ms at full speed: what can fault in post-copy. */
  readonly touchesPerMs: number;
  readonly clock: Clock;
  readonly meter: WorkMeter;
  readonly rng: Rng;
  /** Target memory, when pages carry real bytes. */
  readonly memory?: Uint8Array;
}

/** Pages on the wire, oldest first: one growable ring of page numbers plus, per batch, its end and arrival time. */
class InFlightQueue {
  private pages = new Uint32Array(1024);
  private head = 0;
  private tail = 0;
  private readonly ends: number[] = [];
  private readonly arrivals: number[] = [];
  private first = 0;

  get nextArrivalMs(): number {
    return this.first < this.arrivals.length ? this.arrivals[this.first] : Infinity;
  }

  push(pages: ArrayLike<number>, count: number, arrivalMs: number): void {
    if (this.tail + count > this.pages.length) this.compact(count);
    for (let i = 0; i < count; i++) this.pages[this.tail + i] = pages[i];
    this.tail += count;
    this.ends.push(this.tail);
    this.arrivals.push(arrivalMs);
  }

  /** Removes the oldest batch; its pages are pages()[from, to) until the next push. */
  shift(): { from: number; to: number } {
    const from = this.head;
    const to = this.ends[this.first++];
    this.head = to;
    if (this.first === this.ends.length) {
      this.ends.length = 0;
      this.arrivals.length = 0;
      this.first = 0;
    }
    return { from, to };
  }

  get buffer(): Uint32Array {
    return this.pages;
  }

  private compact(extra: number): void {
    const live = this.tail - this.head;
    const size = Math.max(this.pages.length, 2 ** Math.ceil(Math.log2(live + extra + 1)));
    const next = size === this.pages.length ? this.pages : new Uint32Array(size);
    next.set(this.pages.subarray(this.head, this.tail), 0);
    for (let i = this.first; i < this.ends.length; i++) this.ends[i] -= this.head;
    this.pages = next;
    this.tail = live;
    this.head = 0;
  }
}

/**
 * The guest on the target host, and the discrete-event model of post-copy faults. Before it resumes it only
 * collects pages. Once running, it touches pages as a Poisson stream (rate touchesPerMs, placed by the
 * locality); a touch of a page that has not arrived is a network fault: the guest stalls, a request goes to the
 * source, and the guest runs again when the page arrives. Between two arrivals the set of missing pages is fixed,
 * so the time to the next fault is exponential with rate touchesPerMs x (probability mass of the missing pages),
 * drawn afresh at each arrival (memoryless, hence exact). The fault's page is drawn from the missing pages by
 * their touch probability through a Fenwick tree over regions.
 *
 * The target runs on its own timeline, behind the source by the one-way latency: a request raised at t reaches
 * the source at t + rtt/2, so the transport advances the target to (source time - rtt/2) before collecting.
 */
export class SimulatedTarget implements TargetVm {
  readonly present: PageSet;
  private readonly locality: Locality;
  private running = false;
  private timeMs = 0;
  private stalledOn = -1;
  private mass?: FenwickTree;
  private missingInRegion?: Int32Array;
  private missingTotal = 0;
  private readonly queue = new InFlightQueue();
  private readonly regionShift: number;
  private readonly raised: number[] = [];
  faults = 0;
  stallMs = 0;
  private stallStartMs = 0;

  constructor(private readonly o: SimulatedTargetOptions) {
    this.locality = o.locality;
    this.present = new PageSet(o.locality.pageCount);
    this.regionShift = Math.log2(o.locality.regionPages);
    if (!Number.isInteger(this.regionShift)) throw new RangeError("regionPages must be a power of two");
  }

  /** Pages of a batch reach the target at arrivalMs (bytes, if any, are written by the transport). */
  deliver(batch: PageBatch, arrivalMs: number): void {
    if (!this.running) {
      if (batch.kind === "bitmap") {
        const w = this.present.words;
        for (let i = batch.fromWord; i < batch.toWord; i++) w[i] |= batch.words[i];
      } else for (let i = 0; i < batch.pageCount; i++) this.present.add(batch.pages[i]);
      return;
    }
    if (batch.kind === "list") this.queue.push(batch.pages, batch.pageCount, arrivalMs);
    else {
      const pages: number[] = [];
      forEachBatchPage(batch, (p) => pages.push(p));
      this.queue.push(pages, pages.length, arrivalMs);
    }
  }

  /** The source says these pages changed after they were sent: they count as missing again. */
  discard(pages: PageSet): void {
    this.present.subtract(pages);
  }

  writePage(page: number, bytes: Uint8Array): void {
    this.o.memory?.set(bytes, page * this.o.pageSizeBytes);
  }

  applyDelta(page: number, delta: Uint8Array): void {
    const m = this.o.memory;
    if (!m) return;
    const size = this.o.pageSizeBytes;
    xbzrleDecode(delta, delta.length, m.subarray(page * size, (page + 1) * size));
  }

  resume(): void {
    this.running = true;
    this.timeMs = this.o.clock.now();
    this.o.meter.set(this.timeMs, 1);
    const { regionPages, regionCount, pageCount, pageProbability } = this.locality;
    this.missingInRegion = new Int32Array(regionCount);
    const weights = new Float64Array(regionCount);
    const words = this.present.words;
    // Regions are whole words when regionPages >= 32; smaller regions are counted page by page.
    for (let r = 0; r < regionCount; r++) {
      const start = r * regionPages;
      const n = pagesInRegion(pageCount, regionPages, r);
      let have = 0;
      if (regionPages >= 32) for (let w = start >>> 5; w < (start + n + 31) >>> 5; w++) have += popcount32(words[w]);
      else for (let p = start; p < start + n; p++) if (this.present.has(p)) have++;
      this.missingInRegion[r] = n - have;
      this.missingTotal += n - have;
      weights[r] = (n - have) * pageProbability[r];
    }
    this.mass = FenwickTree.from(weights);
  }

  /** Runs the target up to ms and returns the pages it requested since the last call, in order. */
  collectRequests(untilMs: number): number[] {
    this.advance(untilMs);
    const out = this.raised.slice();
    this.raised.length = 0;
    return out;
  }

  /** Runs the target up to ms: arrivals, faults and stalls. */
  advance(untilMs: number): void {
    if (!this.running) return;
    for (;;) {
      const next = this.queue.nextArrivalMs;
      if (this.stalledOn >= 0) {
        if (next > untilMs) break;
        this.timeMs = Math.max(this.timeMs, next);
        this.applyArrival();
        if (this.present.has(this.stalledOn)) this.endStall();
        continue;
      }
      const segmentEnd = Math.min(next, untilMs);
      if (this.timeMs >= segmentEnd && next > untilMs) break;
      const rate = this.missingTotal > 0 ? this.o.touchesPerMs * this.mass!.total() : 0;
      if (rate > 0) {
        const at = this.timeMs + this.o.rng.exp(rate);
        if (at < segmentEnd) {
          this.timeMs = at;
          this.fault();
          continue;
        }
      }
      this.timeMs = Math.max(this.timeMs, segmentEnd);
      if (next <= untilMs) this.applyArrival();
      else break;
    }
  }

  private fault(): void {
    const page = this.drawMissingPage();
    this.faults++;
    this.stalledOn = page;
    this.stallStartMs = this.timeMs;
    this.o.meter.set(this.timeMs, 0);
    // The target knows only what has arrived, so it asks even for a page that is already on the wire.
    this.raised.push(page);
  }

  private endStall(): void {
    this.stallMs += this.timeMs - this.stallStartMs;
    this.stalledOn = -1;
    this.o.meter.set(this.timeMs, 1);
  }

  private applyArrival(): void {
    const { from, to } = this.queue.shift();
    const pages = this.queue.buffer;
    const probability = this.locality.pageProbability;
    const missing = this.missingInRegion!;
    const present = this.present.words;
    const shift = this.regionShift;
    let region = -1;
    let arrived = 0;
    for (let i = from; i <= to; i++) {
      let r = -1;
      let p = 0;
      if (i < to) {
        p = pages[i];
        const bit = 1 << (p & 31);
        if ((present[p >>> 5] & bit) !== 0) continue;
        present[p >>> 5] |= bit;
        r = p >>> shift;
        if (r === region) {
          arrived++;
          continue;
        }
      }
      // A run of arrivals in one region ends: one tree update for the run.
      if (region >= 0) {
        missing[region] -= arrived;
        this.missingTotal -= arrived;
        this.mass!.add(region, -arrived * probability[region]);
      }
      region = r;
      arrived = 1;
    }
  }

  private drawMissingPage(): number {
    const missing = this.missingInRegion!;
    let r = this.mass!.find(this.o.rng.next() * this.mass!.total());
    // Rounding in the tree can land on an emptied region; the nearest region with missing pages stands in.
    if (missing[r] === 0) {
      let up = r + 1;
      let down = r - 1;
      for (;;) {
        if (up < missing.length && missing[up] > 0) {
          r = up;
          break;
        }
        if (down >= 0 && missing[down] > 0) {
          r = down;
          break;
        }
        up++;
        down--;
      }
    }
    const { regionPages, pageCount } = this.locality;
    const start = r * regionPages;
    let j = this.o.rng.int(missing[r]);
    const end = start + pagesInRegion(pageCount, regionPages, r);
    for (let p = this.present.nextClear(start); p >= 0 && p < end; p = this.present.nextClear(p + 1)) {
      if (j-- === 0) return p;
    }
    throw new Error(`target: region ${r} has no missing page`);
  }
}
