import { xbzrleDecode } from "@ferry/migration";
import type { Socket } from "node:net";
import { inflateRawSync } from "node:zlib";
import { z } from "zod";
import { PageSet } from "@ferry/migration";
import type { GuestImage } from "../guest/guest-image";
import type { GuestWorkload, WorkloadState } from "../guest/guest-workload";
import { checksum, encodeFrame, encodeJson, type Frame, FrameDecoder, FrameError, FrameType, verifiedPayload, ZERO_PAGE, ZERO_PAGE_CRC } from "./frame";
import type { Hello } from "./tcp-transport";
import { decodePageList, encodePageList, encodeReverseBatch } from "./reverse-batch";
import { newNonce, proofMatches, type TargetSecrets } from "./transfer-auth";

const helloSchema = z.object({
  migrationId: z.string().uuid(),
  vmId: z.string().uuid(),
  memMiB: z.number().int().positive(),
  dirtyRateMiBps: z.number().nonnegative(),
  pageSizeBytes: z.literal(4096),
  reverseStream: z.boolean().default(false),
  proof: z.string().regex(/^[0-9a-f]{64}$/),
});
/** Pages per writev on the target. */
const RUN_PAGES = 256;
/** A connection that has not authenticated by then is cut: a silent peer must not hold a session open. */
export const HELLO_TIMEOUT_MS = 10_000;
/**
 * A post-copy guest pauses when its source has sent nothing for this long: the source resumes the VM itself
 * once it gives up on the connection (its stall timeout, which must be longer), and the guest must not run on
 * both nodes then. The source streams pages without pause during post-copy, so silence means trouble.
 */
export const SOURCE_SILENCE_MS = 2_000;

export interface SessionTimeouts {
  readonly helloTimeoutMs?: number;
  readonly sourceSilenceMs?: number;
}

/** How often a post-copy guest's writes go back to the source (the reverse dirty log). */
const REVERSE_EVERY_MS = 20;
const stateSchema = z.object({ seed: z.number().int(), writes: z.number().int().nonnegative() });

/** The target's answer to Digest (JSON). */
export interface DigestAnswer {
  /** SHA-256 of the image, hex. */
  readonly digest: string;
  /** The guest's write count the image is at. */
  readonly writes: number;
  /** Post-copy: work the guest lost here (stalled on faults) before it paused for the digest. */
  readonly lostWorkMs: number;
  readonly faults: number;
}

/** Where the target keeps incoming images, and what it does with them once the controller has decided. */
export interface IncomingStore {
  /** A fresh, empty (sparse) image for the VM, outside the images of the VMs this node runs. */
  open(hello: Hello): GuestImage;
  /**
   * The controller recorded the migration: the VM runs here from now on, continuing `state` (or, after a
   * post-copy, going on with the workload that already runs on the image).
   */
  commit(hello: Hello, image: GuestImage, state: WorkloadState, running?: GuestWorkload): void;
  /** Post-copy: starts the guest on the incoming image while pages are still missing (see GuestHost). */
  startIncoming(hello: Hello, image: GuestImage, state: WorkloadState, missing: { has(page: number): boolean }, onFault: (page: number) => void): GuestWorkload;
  /** The digest was taken and matched on the source: the image waits for the verdict (see commit). */
  verified(hello: Hello, image: GuestImage, state: WorkloadState): void;
  /** The migration ended without the VM moving here. */
  discard(image: GuestImage): void;
  /** Test hook: damage the image right before its digest is taken. */
  corruptBeforeDigest?: (image: GuestImage) => void;
}

/**
 * The target end of one migration: applies the source's frames to an incoming image in stream order, checking
 * every page's CRC32 (after decoding a delta), answers Sync with Ack, Digest with the image's SHA-256, and acts
 * on the verdict. The incoming image never runs here before a "commit": until then the VM is the source's.
 * A bad frame or checksum ends the session with an Error frame and discards the image.
 *
 * The session starts with a Challenge (a fresh nonce); the source's first frame must be a Hello whose proof is
 * the HMAC of that nonce with the transfer secret the controller holds for a migration coming to this node.
 * Anything else ends the session before an image is opened.
 *
 * Post-copy: a Resume starts the guest here with pages still missing (Discard first marks the stale ones of a
 * hybrid's rounds missing again). A write to a missing page stalls the guest and goes to the source as a
 * Request; the page's arrival lets it go on. The guest's writes go back to the source every REVERSE_EVERY_MS
 * (when the Hello asks for the reverse stream): the source's image, plus those pages, is always the guest's
 * image at some write count, so the source can resume the VM if this node dies before the controller records
 * the move. The guest runs here only while the source is connected: a session that closes before the digest
 * stops it and discards the image.
 */
export class IncomingMigration {
  private readonly decoder = new FrameDecoder();
  private readonly queue: Frame[] = [];
  private readonly nonce = newNonce();
  private hello: Hello | null = null;
  private image: GuestImage | null = null;
  private state: WorkloadState | null = null;
  /** Pages written so far: a zero page over a never-written page of the sparse image needs no write. */
  private written: Uint8Array | null = null;
  private pumping = false;
  private settled = false;
  /** The session was ended with an Error frame: nothing the source sends after it is applied. */
  private refused = false;
  /** The digest went out after the state: the image may become the VM's through the controller alone. */
  private awaitingVerdict = false;
  private readonly pageBuf = Buffer.allocUnsafe(4096);
  /** Pages the image holds a current copy of; a running post-copy guest faults on the others. */
  private present: Uint8Array | null = null;
  /** The post-copy guest running on the incoming image. */
  private guest: GuestWorkload | null = null;
  private reverseTimer: NodeJS.Timeout | null = null;
  /** The guest's write count the source's image has reached through the reverse stream. */
  private reversedWrites = 0;
  private readonly sourceSilenceMs: number;
  private heardAtMs = performance.now();
  /** The guest is paused because the source went silent; the next bytes from it resume the guest. */
  private silenced = false;
  /** Consecutive pages received and not yet written: one writev for a run instead of a pwrite per page. */
  private run: { first: number; pages: Uint8Array[] } = { first: 0, pages: [] };

  constructor(
    private readonly socket: Socket,
    private readonly store: IncomingStore,
    private readonly secrets: TargetSecrets,
    { helloTimeoutMs = HELLO_TIMEOUT_MS, sourceSilenceMs = SOURCE_SILENCE_MS }: SessionTimeouts = {},
  ) {
    this.sourceSilenceMs = sourceSilenceMs;
    socket.setNoDelay(true);
    const silent = setTimeout(() => {
      if (!this.hello && !this.refused) this.refuse(new FrameError(`no authenticated Hello in ${helloTimeoutMs} ms`));
    }, helloTimeoutMs);
    silent.unref();
    socket.once("close", () => clearTimeout(silent));
    socket.write(encodeFrame(FrameType.Challenge, 0, this.nonce));
    socket.on("data", (chunk: Buffer) => {
      this.heardAtMs = performance.now();
      if (this.silenced) {
        this.silenced = false;
        this.guest?.resume();
      }
      if (this.refused) return;
      try {
        this.queue.push(...this.decoder.push(chunk));
      } catch (e) {
        this.refuse(e);
        return;
      }
      void this.pump();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => this.onClose());
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let next = 0;
      while (next < this.queue.length && !this.socket.destroyed) {
        const f = this.queue[next++];
        if (f.type !== FrameType.Page && f.type !== FrameType.Zero && f.type !== FrameType.Compressed) this.writeRun();
        const pending = this.apply(f);
        if (pending) await pending;
        if (next === this.queue.length) {
          this.writeRun();
          this.queue.length = next = 0;
        }
      }
    } catch (e) {
      this.refuse(e);
    } finally {
      this.pumping = false;
    }
  }

  /** Applies one frame; returns a promise only for the one that waits (the digest). */
  private apply(f: Frame): Promise<void> | void {
    if (!this.hello && f.type !== FrameType.Hello) throw new FrameError(`${FrameType[f.type]} before an authenticated Hello`);
    switch (f.type) {
      case FrameType.Hello:
        return this.authenticate(f);
      case FrameType.Page:
        return this.writePage(f.page, f.payload, f.crc);
      case FrameType.Zero:
        if (f.crc !== 0 || f.payload.length !== 0) throw new FrameError(`malformed zero page ${f.page}`);
        return this.writePage(f.page, ZERO_PAGE, ZERO_PAGE_CRC);
      case FrameType.Delta: {
        const image = this.need();
        this.inRange(f.page);
        image.readPage(f.page, this.pageBuf);
        xbzrleDecode(f.payload, f.payload.length, this.pageBuf);
        return this.writePage(f.page, this.pageBuf, f.crc);
      }
      case FrameType.Compressed:
        for (const inner of FrameDecoder.all(inflateRawSync(verifiedPayload(f)))) {
          if (inner.type !== FrameType.Page && inner.type !== FrameType.Zero && inner.type !== FrameType.Delta) {
            throw new FrameError(`${FrameType[inner.type]} inside a compressed frame`);
          }
          if (inner.type === FrameType.Delta) this.writeRun();
          this.apply(inner);
        }
        return;
      case FrameType.State:
        this.need();
        this.state = stateSchema.parse(JSON.parse(verifiedPayload(f).toString("utf8")));
        return;
      case FrameType.Discard:
        this.need();
        if (this.guest) throw new FrameError("a discard after the guest resumed");
        for (const page of decodePageList(verifiedPayload(f))) {
          this.inRange(page);
          this.present![page] = 0;
        }
        return;
      case FrameType.Resume:
        return this.resumeGuest();
      case FrameType.Sync:
        verifiedPayload(f);
        this.socket.write(encodeFrame(FrameType.Ack, f.page));
        return;
      case FrameType.Digest:
        return this.answerDigest();
      case FrameType.Verdict: {
        const verdict = verifiedPayload(f).toString("utf8");
        const image = this.need();
        if (verdict === "commit") {
          if (!this.state) throw new FrameError("commit before the device state");
          this.settled = true;
          const guest = this.stopReverse();
          this.store.commit(this.hello!, image, guest?.state ?? this.state, guest ?? undefined);
        } else if (verdict === "abort") {
          this.settled = true;
          // The source resumes the VM from its image plus everything the guest wrote here: send the last of it.
          this.guest?.pause();
          this.sendReverse();
          this.stopReverse()?.stop();
          this.store.discard(image);
        } else throw new FrameError(`unknown verdict "${verdict}"`);
        return;
      }
      default:
        throw new FrameError(`unexpected ${FrameType[f.type]} frame from the source`);
    }
  }

  private async authenticate(f: Frame): Promise<void> {
    if (this.hello) throw new FrameError("a second Hello");
    const { proof, ...hello } = helloSchema.parse(JSON.parse(verifiedPayload(f).toString("utf8")));
    // The reason stays here: the peer is not authenticated yet.
    const terms = await this.secrets(hello.migrationId).catch(() => {
      throw new FrameError(`no transfer of migration ${hello.migrationId} to this node`);
    });
    if (!proofMatches(terms.secret, hello.migrationId, this.nonce, proof)) throw new FrameError(`wrong transfer proof for migration ${hello.migrationId}`);
    // The image is opened, and on commit installed, under the Hello's VM: it must be the one the controller moves.
    if (hello.vmId !== terms.vmId || hello.memMiB !== terms.memMiB) {
      throw new FrameError(`the Hello names VM ${hello.vmId} of ${hello.memMiB} MiB; migration ${hello.migrationId} moves VM ${terms.vmId} of ${terms.memMiB} MiB`);
    }
    if (this.refused || this.socket.destroyed) return;
    this.hello = hello;
    this.image = this.store.open(hello);
    this.written = new Uint8Array(this.image.pageCount);
    this.present = new Uint8Array(this.image.pageCount);
    this.socket.write(encodeFrame(FrameType.Ready));
  }

  /**
   * The digest is of the image as the guest left it: a post-copy guest pauses (until the verdict) and sends its
   * last writes back first, so the source's image reaches the same write count before it hashes its own.
   */
  private async answerDigest(): Promise<void> {
    const image = this.need();
    const guest = this.guest;
    if (guest) {
      if (guest.stalledOn !== null) throw new FrameError(`digest asked while the guest waits for page ${guest.stalledOn}`);
      guest.pause();
      this.sendReverse();
      this.state = guest.state;
    }
    this.store.corruptBeforeDigest?.(image);
    const digest = await image.digest();
    if (this.state) {
      this.store.verified(this.hello!, image, this.state);
      this.awaitingVerdict = true;
    }
    const answer: DigestAnswer = { digest, writes: this.state?.writes ?? 0, lostWorkMs: guest?.lostWorkMs ?? 0, faults: guest?.faults ?? 0 };
    this.socket.write(encodeJson(FrameType.Digest, answer));
  }

  private resumeGuest(): void {
    const image = this.need();
    if (!this.state) throw new FrameError("resume before the device state");
    if (this.guest) throw new FrameError("a second resume");
    const present = this.present!;
    this.reversedWrites = this.state.writes;
    this.guest = this.store.startIncoming(this.hello!, image, this.state, { has: (page) => present[page] === 0 }, (page) =>
      this.socket.write(encodeFrame(FrameType.Request, 0, encodePageList([page]))),
    );
    this.reverseTimer = setInterval(() => {
      this.pauseIfSourceSilent();
      this.sendReverse();
    }, REVERSE_EVERY_MS);
    this.reverseTimer.unref();
  }

  private pauseIfSourceSilent(): void {
    if (this.silenced || this.awaitingVerdict || performance.now() - this.heardAtMs < this.sourceSilenceMs) return;
    this.silenced = true;
    this.guest?.pause();
  }

  /** Sends the pages the guest wrote since the last batch, read now, with the write counts they span. */
  private sendReverse(): void {
    const guest = this.guest;
    if (!guest || !this.hello!.reverseStream || this.socket.destroyed) return;
    const dirty = new PageSet(this.image!.pageCount);
    guest.takeDirty(dirty);
    const to = guest.writes;
    if (to === this.reversedWrites) return;
    const pages = Uint32Array.from(dirty.toArray());
    const bytes = Buffer.allocUnsafe(pages.length * this.image!.pageSizeBytes);
    pages.forEach((page, i) => this.image!.readPage(page, bytes.subarray(i * this.image!.pageSizeBytes)));
    this.socket.write(encodeFrame(FrameType.Reverse, 0, encodeReverseBatch(this.reversedWrites, to, pages, bytes)));
    this.reversedWrites = to;
  }

  private stopReverse(): GuestWorkload | null {
    if (this.reverseTimer) clearInterval(this.reverseTimer);
    this.reverseTimer = null;
    return this.guest;
  }

  private writePage(page: number, bytes: Uint8Array, crc: number): void {
    this.need();
    this.inRange(page);
    if (checksum(bytes) !== crc) throw new FrameError(`checksum mismatch on page ${page}`);
    if (this.guest && this.present![page]) throw new FrameError(`page ${page} sent again after the guest resumed`);
    this.present![page] = 1;
    if (bytes !== ZERO_PAGE || this.written![page]) {
      this.written![page] = 1;
      const run = this.run;
      if (run.pages.length === RUN_PAGES || (run.pages.length > 0 && page !== run.first + run.pages.length)) this.writeRun();
      if (run.pages.length === 0) run.first = page;
      // The delta buffer is reused for the next page: a delta's result is copied.
      run.pages.push(bytes === this.pageBuf ? Buffer.from(bytes) : bytes);
    }
    if (this.guest?.stalledOn === page) {
      this.writeRun();
      this.guest.pageArrived(page);
    }
  }

  private writeRun(): void {
    if (this.run.pages.length === 0) return;
    this.image!.writePages(this.run.first, this.run.pages);
    this.run.pages = [];
  }

  private need(): GuestImage {
    if (!this.image) throw new FrameError("pages before Hello");
    return this.image;
  }

  private inRange(page: number): void {
    if (page >= this.image!.pageCount) throw new FrameError(`page ${page} is outside the ${this.image!.pageCount}-page image`);
  }

  private refuse(e: unknown): void {
    const reason = e instanceof Error ? e.message : String(e);
    this.refused = true;
    this.queue.length = 0;
    if (!this.socket.destroyed) this.socket.end(encodeFrame(FrameType.Error, 0, Buffer.from(reason)));
    this.onClose();
  }

  /**
   * A session that ends without a verdict: an image whose digest went out stays for the controller to decide
   * (the VM appears in this node's list once the completion is recorded); any other is discarded.
   */
  private onClose(): void {
    if (this.settled || !this.image) return;
    this.settled = true;
    this.stopReverse()?.stop();
    if (!this.awaitingVerdict) this.store.discard(this.image);
  }
}
