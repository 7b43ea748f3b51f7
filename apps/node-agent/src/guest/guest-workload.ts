import { buildLocality, PagePicker, PageSet, type LocalitySpec } from "@ferry/migration";
import { createRng, type Rng } from "@ferry/random";
import type { GuestImage } from "./guest-image";

/** Bytes one guest write stores: an aligned 64-byte slot, a cache line (the simulator's default write size). */
export const WRITE_BYTES = 64;
/** Pages per locality region: 256 KiB, the simulator's default. */
const REGION_PAGES = 64;
const TICK_MS = 10;

export interface GuestWorkloadOptions {
  readonly image: GuestImage;
  readonly dirtyMiBps: number;
  readonly locality: LocalitySpec;
  readonly seed: number;
  /** Writes already made by this workload (on the source, before a migration): the stream continues after them. */
  readonly writesDone?: number;
  /**
   * Post-copy on the target: the pages not here yet. A write to one of them stalls the guest (a fault, told to
   * onFault) until `pageArrived` says the page is in.
   */
  readonly missing?: { has(page: number): boolean };
  readonly onFault?: (page: number) => void;
  /** Called before the workload makes writes from..to (write counts), so that a killed agent can redo them (GuestJournal). */
  readonly journal?: (from: number, to: number) => void;
}

/** What moves with the guest as its device state: enough for the target to continue the same write stream. */
export interface WorkloadState {
  readonly seed: number;
  readonly writes: number;
}

/**
 * The guest's own program: writes random bytes into pages of its image at the VM's dirty rate (MiB/s of 4 KiB
 * page writes, the rate a dirty log sees), with the locality's hot regions. Deterministic: write number n lands
 * on the same page, slot and bytes for a given seed, so an image is a function of (seed, writes made), which is
 * what makes a digest checkable after the fact. Because the writes are ours, dirty tracking is exact: every
 * write sets its page in the log while tracking is on.
 *
 * A timer on the agent's event loop issues the writes due since the last tick, scaled by the speed: 1, (1 -
 * throttle) under auto-converge, 0 when paused. The work it could not do (throttle, pause) is counted, which
 * gives the migration's application degradation.
 */
export class GuestWorkload {
  /** Pages written since the last take (only while tracking). */
  readonly dirty: PageSet;
  private readonly rng: Rng;
  private readonly picker: PagePicker;
  private readonly slots: number;
  private readonly writesPerMs: number;
  private readonly buf = new Uint8Array(WRITE_BYTES);
  private timer: NodeJS.Timeout | null = null;
  private lastTickMs = 0;
  private carry = 0;
  private writes_ = 0;
  private lostMs = 0;
  private tracking = false;
  private paused = false;
  private throttle_ = 0;
  /** Journals writes before they are made (GuestWorkloadOptions.journal, or attached on adoption). */
  private journal: ((from: number, to: number) => void) | undefined;
  /** The write the guest is stalled on (post-copy fault): drawn, not made. */
  private stalled: { page: number; slot: number; bytes: Uint8Array } | null = null;
  private faults_ = 0;

  constructor(private readonly o: GuestWorkloadOptions) {
    this.journal = o.journal;
    const image = o.image;
    this.dirty = new PageSet(image.pageCount);
    this.rng = createRng(o.seed);
    const locality = buildLocality(o.locality, image.pageCount, REGION_PAGES, createRng(o.seed).fork("layout"));
    this.picker = new PagePicker(locality);
    this.slots = image.pageSizeBytes / WRITE_BYTES;
    this.writesPerMs = (o.dirtyMiBps * 1048576) / image.pageSizeBytes / 1000;
    for (let i = 0; i < (o.writesDone ?? 0); i++) this.draw();
    this.writes_ = o.writesDone ?? 0;
  }

  get state(): WorkloadState {
    return { seed: this.o.seed, writes: this.writes_ };
  }

  get writes(): number {
    return this.writes_;
  }

  /** Paused by a migration (and not resumed since). */
  get isPaused(): boolean {
    return this.paused;
  }

  get throttle(): number {
    return this.throttle_;
  }

  /** Writes that stalled on a missing page (post-copy network faults). */
  get faults(): number {
    return this.faults_;
  }

  /** The page a stalled write waits for, if any. */
  get stalledOn(): number | null {
    return this.stalled?.page ?? null;
  }

  /** Full-speed milliseconds of work the guest could not do (throttled or paused) since it started. */
  get lostWorkMs(): number {
    this.tick();
    return this.lostMs;
  }

  start(): void {
    if (this.timer) return;
    this.lastTickMs = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.tick();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Makes `count` writes now, whatever the clock says (tests and benchmarks); stops at a fault. */
  writeNow(count: number): void {
    this.makeWrites(count);
  }

  /**
   * The writes up to `writes` were made elsewhere (by the guest on a post-copy target) and their pages are
   * already in this image: the stream goes on after them.
   */
  skipTo(writes: number): void {
    if (writes < this.writes_) throw new Error(`cannot skip back from write ${this.writes_} to ${writes}`);
    while (this.writes_ < writes) {
      this.draw();
      this.writes_++;
    }
  }

  /**
   * From now on writes are journaled (a post-copy guest adopted by its target at the commit, when every page is
   * in: it ran on an incoming image, which has no journal).
   */
  attachJournal(journal: (from: number, to: number) => void): void {
    if (this.stalled) throw new Error("a guest stalled on a missing page cannot be journaled");
    this.journal = journal;
  }

  /** A missing page came in: a write stalled on it is made now and the guest runs on. */
  pageArrived(page: number): void {
    if (this.stalled?.page !== page) return;
    // The time up to now was stalled.
    this.tick();
    const { slot, bytes } = this.stalled;
    this.stalled = null;
    this.make(page, slot, bytes);
    this.carry = Math.max(0, this.carry - 1);
    // The writes owed since the fault go out now, up to the next fault: a guest faults again as soon as it
    // touches the next missing page, not a tick later.
    this.tick();
  }

  setTracking(on: boolean): void {
    this.tick();
    this.tracking = on;
    this.dirty.clear();
  }

  /** Copies the pages written since the last take into `into` and clears the log. */
  takeDirty(into: PageSet): void {
    this.tick();
    into.copyFrom(this.dirty);
    this.dirty.clear();
  }

  setThrottle(fraction: number): void {
    this.tick();
    this.throttle_ = Math.min(Math.max(fraction, 0), 1);
  }

  pause(): void {
    this.tick();
    this.paused = true;
  }

  resume(): void {
    this.tick();
    this.paused = false;
    this.throttle_ = 0;
  }

  private tick(): void {
    if (!this.timer) return;
    const now = performance.now();
    const dt = now - this.lastTickMs;
    this.lastTickMs = now;
    const speed = this.paused || this.stalled ? 0 : 1 - this.throttle_;
    this.lostMs += (1 - speed) * dt;
    // Paused, stalled or throttled to nothing: no write, and what is owed stays owed.
    if (speed === 0) return;
    const due = this.writesPerMs * dt * speed + this.carry;
    const n = Math.floor(due);
    this.carry = due - n;
    const made = this.makeWrites(n);
    // The writes go out a tick's worth at a time, so a fault is seen at the tick, up to TICK_MS after the write
    // was due. The writes the tick still owes are made once the page is in (pageArrived), and only the stall from
    // the fault on counts as lost: as for a guest that faults the moment it touches the page, and waits only for
    // the page.
    if (this.stalled) this.carry += n - made;
  }

  /**
   * Makes up to `count` writes, journaled first; stops at a fault (a guest with missing pages has no journal: it
   * runs on an incoming image). Returns the writes made.
   */
  private makeWrites(count: number): number {
    if (count <= 0) return 0;
    this.journal?.(this.writes_, this.writes_ + count);
    let made = 0;
    while (made < count && this.writeOne()) made++;
    return made;
  }

  /** Makes the next write; false when it stalled on a missing page instead. */
  private writeOne(): boolean {
    if (this.stalled) return false;
    const { page, slot } = this.draw();
    if (this.o.missing?.has(page)) {
      this.stalled = { page, slot, bytes: Uint8Array.from(this.buf) };
      this.faults_++;
      this.o.onFault?.(page);
      return false;
    }
    this.make(page, slot, this.buf);
    return true;
  }

  private make(page: number, slot: number, bytes: Uint8Array): void {
    this.o.image.writeAt(page * this.o.image.pageSizeBytes + slot * WRITE_BYTES, bytes);
    if (this.tracking) this.dirty.add(page);
    this.writes_++;
  }

  /** Draws write number `writes_`: its page, slot and bytes (into buf). */
  private draw(): { page: number; slot: number } {
    const page = this.picker.pick(this.rng);
    const slot = this.rng.int(this.slots);
    for (let b = 0; b < WRITE_BYTES; b += 4) {
      const v = this.rng.u32();
      this.buf[b] = v & 0xff;
      this.buf[b + 1] = (v >>> 8) & 0xff;
      this.buf[b + 2] = (v >>> 16) & 0xff;
      this.buf[b + 3] = v >>> 24;
    }
    return { page, slot };
  }
}
