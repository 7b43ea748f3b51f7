import type { HostedVm, VmPlacement } from "@ferry/protocol";
import type { LocalitySpec } from "@ferry/migration";
import { deriveSeed } from "@ferry/random";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Hello } from "../transfer/tcp-transport";
import type { IncomingStore } from "../transfer/incoming-migration";
import type { ReverseBatch } from "../transfer/reverse-batch";
import { GuestImage } from "./guest-image";
import { GuestJournal, type JournalRecord } from "./guest-journal";
import { GuestWorkload, type WorkloadState } from "./guest-workload";

export interface GuestVm {
  readonly id: string;
  readonly memMiB: number;
  readonly dirtyRateMiBps: number;
}

export interface Guest {
  readonly vm: GuestVm;
  readonly image: GuestImage;
  readonly workload: GuestWorkload;
  /** Call `journal.moving(a, b)` before changing the image from write count a to b by any other means than the workload. */
  readonly journal: GuestJournal;
}

export interface GuestHostOptions {
  /** Images of the VMs this node runs are `<dataDir>/vms/<vmId>.img`; incoming ones live in `<dataDir>/incoming/`. */
  readonly dataDir: string;
  readonly locality: LocalitySpec;
}

/** Asks the controller where a VM is recorded; throws when it cannot tell (the caller then keeps what it has). */
export type PlacementLookup = (vmId: string) => Promise<VmPlacement>;

interface Pending {
  readonly hello: Hello;
  readonly image: GuestImage;
  readonly state: WorkloadState;
}

const IMG = ".img";
const VERIFIED = ".img.verified.json";

/**
 * The guests a node agent in tcp mode runs: one image, its redo journal (GuestJournal) and one workload per VM.
 * A VM gets a fresh (all zero, sparse) image the first time this node runs it; a migrated VM gets the image its
 * source sent, continuing the same write stream; a VM whose agent was killed continues from its journal. Incoming
 * images stay apart, never running, until the controller has recorded the migration: the source says so
 * ("commit"), or, if the source is gone by then, the VM shows up in this node's hosted list.
 *
 * Files a killed agent leaves behind are settled here: an incoming image that was never verified is deleted at
 * start; a verified one whose verdict never came, and the image of a VM the controller no longer records here,
 * are resolved by asking the controller (`resolve`), and only its answer deletes anything.
 */
export class GuestHost implements IncomingStore {
  private readonly guests = new Map<string, Guest>();
  /** Verified incoming images waiting for a verdict, by migration id, oldest first. */
  private readonly pending = new Map<string, Pending>();
  /** VMs whose guest an outgoing migration drives: never released or resumed behind its back. */
  private readonly outgoing = new Set<string>();
  /** When each VM's guest was last released (Date.now()): a hosted list asked for before that is stale about it. */
  private readonly releasedAt = new Map<string, number>();
  corruptBeforeDigest?: (image: GuestImage) => void;

  constructor(private readonly o: GuestHostOptions) {
    this.recoverIncoming();
    this.dropOrphanJournals();
  }

  get(vmId: string): Guest | undefined {
    return this.guests.get(vmId);
  }

  /**
   * The VM's guest: its own image continued from its journal (replaying the last batch of writes, which a kill
   * may have cut short), or a fresh image seeded by the VM's id when this node has none.
   */
  guestFor(vm: GuestVm): Guest {
    const known = this.guests.get(vm.id);
    if (known) return known;
    const path = this.imagePath(vm.id);
    const record = (existsSync(path) && GuestJournal.read(path)) || { seed: deriveSeed(0, vm.id), writes: 0, redoFrom: 0 };
    return this.run(vm, GuestImage.open(path, vm.memMiB), record);
  }

  /**
   * Every VM the controller says runs here gets its guest: a verified incoming image first (from memory, or
   * from disk after an agent restart), else its own image, else a fresh one. A list asked for (`askedAtMs`)
   * before the VM's guest was released here predates its move away: it would start a fresh guest of a VM that
   * runs elsewhere.
   */
  reconcile(vms: readonly HostedVm[], askedAtMs = Date.now()): void {
    for (const vm of vms) {
      if (this.guests.has(vm.id) || (this.releasedAt.get(vm.id) ?? -Infinity) >= askedAtMs) continue;
      const waiting = [...this.pending.values()].filter((p) => p.hello.vmId === vm.id).pop();
      if (waiting) this.commit(waiting.hello, waiting.image, waiting.state);
      else this.guestFor(vm);
    }
  }

  /**
   * Settles what the hosted list `listed` cannot: guests and images of VMs missing from it, and verified incoming
   * images. The list may predate a switchover on this node, so nothing is deleted on it alone: each VM's placement
   * is asked of the controller, and an image goes only when the VM is recorded on another node with no migration
   * of it open. A VM recorded here gets its verified incoming image (the one of the migration that brought it) and
   * a guest left paused by a lost verdict resumes. A failed lookup keeps everything as it is. Returns what it
   * did, a line each, for the agent's log.
   */
  async resolve(listed: readonly HostedVm[], here: string, lookup: PlacementLookup): Promise<string[]> {
    const done: string[] = [];
    const known = new Set(listed.map((vm) => vm.id));
    const asks = new Set<string>();
    for (const [vmId, guest] of this.guests) if (!this.outgoing.has(vmId) && (!known.has(vmId) || guest.workload.isPaused)) asks.add(vmId);
    for (const vmId of this.imagesOnDisk()) if (!known.has(vmId) && !this.guests.has(vmId)) asks.add(vmId);
    for (const p of this.pending.values()) if (!known.has(p.hello.vmId)) asks.add(p.hello.vmId);
    for (const vmId of asks) {
      const guest = this.guests.get(vmId);
      let placement: VmPlacement;
      try {
        placement = await lookup(vmId);
      } catch {
        continue;
      }
      if (this.outgoing.has(vmId) || this.guests.get(vmId) !== guest) continue;
      this.settle(vmId, guest, placement, here, (line) => done.push(`VM ${vmId}: ${line}`));
    }
    return done;
  }

  private settle(vmId: string, guest: Guest | undefined, placement: VmPlacement, here: string, say: (line: string) => void): void {
    if (placement.nodeId === null) return;
    const waiting = [...this.pending.values()].filter((p) => p.hello.vmId === vmId);
    if (placement.nodeId === here) {
      const arrival = waiting.find((p) => p.hello.migrationId === placement.arrivedBy);
      if (arrival && !guest) {
        this.commit(arrival.hello, arrival.image, arrival.state);
        say(`adopted the image of migration ${arrival.hello.migrationId}, whose verdict never came`);
      } else if (guest?.workload.isPaused) {
        guest.workload.resume();
        say("resumed its guest, left paused by a migration that did not move it");
      }
      return;
    }
    for (const p of waiting) {
      if (p.hello.migrationId === placement.openMigrationId) continue;
      this.discard(p.image);
      say(`discarded the verified image of migration ${p.hello.migrationId}, which ended without moving it here`);
    }
    if (placement.openMigrationId !== null) return;
    if (guest) this.release(vmId);
    else if (existsSync(this.imagePath(vmId))) this.removeFiles(this.imagePath(vmId));
    else return;
    say(`released its image: the VM is recorded on node ${placement.nodeId}`);
  }

  /** A migration of this VM from here runs: until `done`, resolve leaves its guest alone. */
  beginOutgoing(vmId: string): () => void {
    this.outgoing.add(vmId);
    return () => this.outgoing.delete(vmId);
  }

  /** The VM moved away and the controller recorded it: stop its workload and delete its image and journal. */
  release(vmId: string): void {
    const guest = this.guests.get(vmId);
    if (!guest) return;
    guest.workload.stop();
    guest.image.remove();
    guest.journal.remove();
    this.guests.delete(vmId);
    this.releasedAt.set(vmId, Date.now());
  }

  open(hello: Hello): GuestImage {
    const path = join(this.o.dataDir, "incoming", `${hello.vmId}.${hello.migrationId}${IMG}`);
    rmSync(path, { force: true });
    return GuestImage.open(path, hello.memMiB);
  }

  /** Kept on disk beside the image too, so that an agent restarted before the verdict still adopts it. */
  verified(hello: Hello, image: GuestImage, state: WorkloadState): void {
    this.pending.set(hello.migrationId, { hello, image, state });
    writeFileSync(`${image.path}.verified.json`, JSON.stringify({ hello, state }));
  }

  /**
   * The image becomes the VM's own. Crash-safe order: the journal at the VM's path first (a verified incoming
   * image still wins over it after a restart), then the image, then the verified mark. `running`: the workload
   * that already runs on the image (post-copy, started by startIncoming, paused since its digest) is adopted and
   * resumed rather than started afresh from `state`.
   */
  commit(hello: Hello, image: GuestImage, state: WorkloadState, running?: GuestWorkload): void {
    this.pending.delete(hello.migrationId);
    if (this.guests.get(hello.vmId)?.image === image) return;
    this.release(hello.vmId);
    const incomingPath = image.path;
    const path = this.imagePath(hello.vmId);
    const record = { seed: state.seed, writes: state.writes, redoFrom: state.writes };
    GuestJournal.create(path, record).close();
    image.moveTo(path);
    rmSync(`${incomingPath}.verified.json`, { force: true });
    // Another verified image of the same VM is of a migration that ended earlier: this one superseded it.
    for (const p of [...this.pending.values()]) if (p.hello.vmId === hello.vmId) this.discard(p.image);
    const vm = { id: hello.vmId, memMiB: hello.memMiB, dirtyRateMiBps: hello.dirtyRateMiBps };
    if (!running) {
      this.run(vm, image, record);
      return;
    }
    const journal = GuestJournal.create(image.path, record);
    running.attachJournal((from, to) => journal.moving(from, to));
    running.setTracking(false);
    running.resume();
    this.guests.set(vm.id, { vm, image, workload: running, journal });
  }

  /**
   * Post-copy on the target: the guest starts on its incoming image before every page is in, tracking its
   * writes (the reverse dirty log). It stays out of this node's guests until the commit.
   */
  startIncoming(hello: Hello, image: GuestImage, state: WorkloadState, missing: { has(page: number): boolean }, onFault: (page: number) => void): GuestWorkload {
    const workload = new GuestWorkload({
      image,
      dirtyMiBps: hello.dirtyRateMiBps,
      locality: this.o.locality,
      seed: state.seed,
      writesDone: state.writes,
      missing,
      onFault,
    });
    workload.setTracking(true);
    workload.start();
    return workload;
  }

  /**
   * Post-copy on the source: pages the guest wrote on the target (the reverse stream), applied to this node's
   * (paused) guest, whose image and write count then follow the target's. Journaled first, like the workload's
   * own writes: a killed agent redoes them from the deterministic write log.
   */
  applyWrites(vmId: string, batch: ReverseBatch): void {
    const { image, workload, journal } = this.need(vmId);
    if (batch.fromWrites !== workload.writes) {
      throw new Error(`reverse batch of writes ${batch.fromWrites}..${batch.toWrites} does not follow write ${workload.writes}`);
    }
    journal.moving(batch.fromWrites, batch.toWrites);
    const pageBytes = image.pageSizeBytes;
    batch.pages.forEach((page, i) => image.writePage(page, batch.bytes.subarray(i * pageBytes, (i + 1) * pageBytes)));
    workload.skipTo(batch.toWrites);
  }

  /**
   * Makes the guest's writes up to `toWrites` on this node's (paused) guest, as the guest made them elsewhere.
   * Only possible because the workload is deterministic: a post-copy without the reverse stream checks the
   * target's digest this way.
   */
  replayWrites(vmId: string, toWrites: number): void {
    const { workload } = this.need(vmId);
    if (toWrites < workload.writes) throw new Error(`cannot replay writes back from ${workload.writes} to ${toWrites}`);
    workload.writeNow(toWrites - workload.writes);
  }

  private need(vmId: string): Guest {
    const guest = this.guests.get(vmId);
    if (!guest) throw new Error(`VM ${vmId} has no guest on this node`);
    return guest;
  }

  discard(image: GuestImage): void {
    for (const [migrationId, p] of this.pending) if (p.image === image) this.pending.delete(migrationId);
    rmSync(`${image.path}.verified.json`, { force: true });
    image.remove();
  }

  /** Agent shutdown: workloads stop, images and journals stay on disk. */
  close(): void {
    for (const g of this.guests.values()) {
      g.workload.stop();
      g.image.close();
      g.journal.close();
    }
    this.guests.clear();
    for (const p of this.pending.values()) p.image.close();
    this.pending.clear();
  }

  private run(vm: GuestVm, image: GuestImage, record: JournalRecord): Guest {
    const journal = GuestJournal.create(image.path, record);
    const workload = new GuestWorkload({
      image,
      dirtyMiBps: vm.dirtyRateMiBps,
      locality: this.o.locality,
      seed: record.seed,
      writesDone: record.redoFrom,
      journal: (from, to) => journal.moving(from, to),
    });
    workload.writeNow(record.writes - record.redoFrom);
    workload.start();
    const guest = { vm, image, workload, journal };
    this.guests.set(vm.id, guest);
    return guest;
  }

  /**
   * Incoming images an earlier run of this agent left: a verified one waits for its verdict again (oldest first);
   * any other is half a transfer whose source has long given up on it.
   */
  private recoverIncoming(): void {
    const dir = join(this.o.dataDir, "incoming");
    if (!existsSync(dir)) return;
    const files = readdirSync(dir);
    const verified: { mtimeMs: number; pending: Pending }[] = [];
    for (const f of files) {
      const path = join(dir, f);
      if (f.endsWith(VERIFIED)) {
        const image = path.slice(0, -".verified.json".length);
        if (!existsSync(image)) rmSync(path, { force: true });
      } else if (f.endsWith(IMG)) {
        const mark = readMark(`${path}.verified.json`);
        if (!mark) {
          rmSync(path, { force: true });
          continue;
        }
        verified.push({ mtimeMs: statSync(`${path}.verified.json`).mtimeMs, pending: { ...mark, image: GuestImage.open(path, mark.hello.memMiB) } });
      } else rmSync(path, { force: true });
    }
    for (const v of verified.sort((a, b) => a.mtimeMs - b.mtimeMs)) this.pending.set(v.pending.hello.migrationId, v.pending);
  }

  /** A journal whose image is gone (a release cut short) would replay onto the next fresh image of that VM. */
  private dropOrphanJournals(): void {
    const dir = join(this.o.dataDir, "vms");
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) {
      if (f.endsWith(".state.json") && !existsSync(join(dir, f.slice(0, -".state.json".length)))) rmSync(join(dir, f), { force: true });
    }
  }

  private imagesOnDisk(): string[] {
    const dir = join(this.o.dataDir, "vms");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith(IMG))
      .map((f) => f.slice(0, -IMG.length));
  }

  private removeFiles(imagePath: string): void {
    rmSync(imagePath, { force: true });
    rmSync(GuestJournal.pathOf(imagePath), { force: true });
  }

  private imagePath(vmId: string): string {
    return join(this.o.dataDir, "vms", `${vmId}${IMG}`);
  }
}

function readMark(path: string): { hello: Hello; state: WorkloadState } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as { hello: Hello; state: WorkloadState };
  } catch {
    return undefined;
  }
}
