import type { HostedVm } from "@ferry/protocol";
import type { LocalitySpec } from "@ferry/migration";
import { deriveSeed } from "@ferry/random";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Hello } from "../transfer/tcp-transport";
import type { IncomingStore } from "../transfer/incoming-migration";
import type { ReverseBatch } from "../transfer/reverse-batch";
import { GuestImage } from "./guest-image";
import { GuestWorkload, type GuestWorkloadOptions, type WorkloadState } from "./guest-workload";

export interface GuestVm {
  readonly id: string;
  readonly memMiB: number;
  readonly dirtyRateMiBps: number;
}

export interface Guest {
  readonly vm: GuestVm;
  readonly image: GuestImage;
  readonly workload: GuestWorkload;
}

export interface GuestHostOptions {
  /** Images of the VMs this node runs are `<dataDir>/vms/<vmId>.img`; incoming ones live in `<dataDir>/incoming/`. */
  readonly dataDir: string;
  readonly locality: LocalitySpec;
}

/**
 * The guests a node agent in tcp mode runs: one image and one workload per VM. A VM gets a fresh (all zero,
 * sparse) image the first time this node runs it; a migrated VM gets the image its source sent, continuing the
 * same write stream. Incoming images stay apart, never running, until the controller has recorded the
 * migration: the source says so ("commit"), or, if the source is gone by then, the VM shows up in this node's
 * hosted list.
 */
export class GuestHost implements IncomingStore {
  private readonly guests = new Map<string, Guest>();
  private readonly pending = new Map<string, { hello: Hello; image: GuestImage; state: WorkloadState }>();
  corruptBeforeDigest?: (image: GuestImage) => void;

  constructor(private readonly o: GuestHostOptions) {}

  get(vmId: string): Guest | undefined {
    return this.guests.get(vmId);
  }

  /** The VM's guest, started on a fresh image (seeded by the VM's id) when this node has none. */
  guestFor(vm: GuestVm): Guest {
    const known = this.guests.get(vm.id);
    if (known) return known;
    const image = GuestImage.open(this.imagePath(vm.id), vm.memMiB);
    return this.run(vm, image, { seed: deriveSeed(0, vm.id), writes: 0 });
  }

  /**
   * Every VM the controller says runs here gets its guest: a verified incoming image first (from memory, or
   * from disk after an agent restart), else its own image, else a fresh one.
   */
  reconcile(vms: readonly HostedVm[]): void {
    for (const vm of vms) {
      if (this.guests.has(vm.id)) continue;
      const waiting = this.pending.get(vm.id) ?? this.verifiedOnDisk(vm.id);
      if (waiting) this.commit(waiting.hello, waiting.image, waiting.state);
      else this.guestFor(vm);
    }
  }

  /** The VM moved away and the controller recorded it: stop its workload and delete its image. */
  release(vmId: string): void {
    const guest = this.guests.get(vmId);
    if (!guest) return;
    guest.workload.stop();
    guest.image.remove();
    this.guests.delete(vmId);
  }

  open(hello: Hello): GuestImage {
    const path = join(this.o.dataDir, "incoming", `${hello.vmId}.${hello.migrationId}.img`);
    rmSync(path, { force: true });
    return GuestImage.open(path, hello.memMiB);
  }

  /** Kept on disk beside the image too, so that an agent restarted before the verdict still adopts it. */
  verified(hello: Hello, image: GuestImage, state: WorkloadState): void {
    this.pending.set(hello.vmId, { hello, image, state });
    writeFileSync(`${image.path}.verified.json`, JSON.stringify({ hello, state }));
  }

  /**
   * `running`: the workload that already runs on the image (post-copy, started by startIncoming, paused since its
   * digest): it is adopted and resumed rather than started afresh from `state`.
   */
  commit(hello: Hello, image: GuestImage, state: WorkloadState, running?: GuestWorkload): void {
    this.pending.delete(hello.vmId);
    rmSync(`${image.path}.verified.json`, { force: true });
    if (this.guests.get(hello.vmId)?.image === image) return;
    this.release(hello.vmId);
    image.moveTo(this.imagePath(hello.vmId));
    const vm = { id: hello.vmId, memMiB: hello.memMiB, dirtyRateMiBps: hello.dirtyRateMiBps };
    if (running) {
      running.setTracking(false);
      running.resume();
      this.guests.set(vm.id, { vm, image, workload: running });
    } else this.run(vm, image, state);
  }

  /**
   * Post-copy on the target: the guest starts on its incoming image before every page is in, tracking its
   * writes (the reverse dirty log). It stays out of this node's guests until the commit.
   */
  startIncoming(hello: Hello, image: GuestImage, state: WorkloadState, missing: { has(page: number): boolean }, onFault: (page: number) => void): GuestWorkload {
    const workload = this.workload(hello, image, state, { missing, onFault });
    workload.setTracking(true);
    workload.start();
    return workload;
  }

  /**
   * Post-copy on the source: pages the guest wrote on the target (the reverse stream), applied to this node's
   * (paused) guest, whose image and write count then follow the target's.
   */
  applyWrites(vmId: string, batch: ReverseBatch): void {
    const { image, workload } = this.need(vmId);
    if (batch.fromWrites !== workload.writes) {
      throw new Error(`reverse batch of writes ${batch.fromWrites}..${batch.toWrites} does not follow write ${workload.writes}`);
    }
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
    for (const [vmId, p] of this.pending) if (p.image === image) this.pending.delete(vmId);
    rmSync(`${image.path}.verified.json`, { force: true });
    image.remove();
  }

  /** Agent shutdown: workloads stop, images stay on disk. */
  close(): void {
    for (const g of this.guests.values()) {
      g.workload.stop();
      g.image.close();
    }
    this.guests.clear();
  }

  private run(vm: GuestVm, image: GuestImage, state: WorkloadState): Guest {
    const workload = this.workload({ dirtyRateMiBps: vm.dirtyRateMiBps }, image, state);
    workload.start();
    const guest = { vm, image, workload };
    this.guests.set(vm.id, guest);
    return guest;
  }

  private workload(vm: { dirtyRateMiBps: number }, image: GuestImage, state: WorkloadState, postCopy?: Pick<GuestWorkloadOptions, "missing" | "onFault">): GuestWorkload {
    return new GuestWorkload({ image, dirtyMiBps: vm.dirtyRateMiBps, locality: this.o.locality, seed: state.seed, writesDone: state.writes, ...postCopy });
  }

  /** The newest verified incoming image of the VM left by an earlier run of this agent. */
  private verifiedOnDisk(vmId: string): { hello: Hello; image: GuestImage; state: WorkloadState } | undefined {
    const dir = join(this.o.dataDir, "incoming");
    if (!existsSync(dir)) return undefined;
    const marks = readdirSync(dir).filter((f) => f.startsWith(`${vmId}.`) && f.endsWith(".img.verified.json"));
    for (const mark of marks.sort().reverse()) {
      const { hello, state } = JSON.parse(readFileSync(join(dir, mark), "utf8")) as { hello: Hello; state: WorkloadState };
      const path = join(dir, mark.slice(0, -".verified.json".length));
      if (existsSync(path)) return { hello, state, image: GuestImage.open(path, hello.memMiB) };
    }
    return undefined;
  }

  private imagePath(vmId: string): string {
    return join(this.o.dataDir, "vms", `${vmId}.img`);
  }
}
