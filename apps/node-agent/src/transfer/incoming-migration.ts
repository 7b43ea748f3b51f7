import { xbzrleDecode } from "@ferry/migration";
import type { Socket } from "node:net";
import { inflateRawSync } from "node:zlib";
import { z } from "zod";
import type { GuestImage } from "../guest/guest-image";
import type { WorkloadState } from "../guest/guest-workload";
import { checksum, encodeFrame, type Frame, FrameDecoder, FrameError, FrameType, verifiedPayload, ZERO_PAGE, ZERO_PAGE_CRC } from "./frame";
import type { Hello } from "./tcp-transport";
import { newNonce, proofMatches, type TargetSecrets } from "./transfer-auth";

const helloSchema = z.object({
  migrationId: z.string().uuid(),
  vmId: z.string().uuid(),
  memMiB: z.number().int().positive(),
  dirtyRateMiBps: z.number().nonnegative(),
  pageSizeBytes: z.literal(4096),
  proof: z.string().regex(/^[0-9a-f]{64}$/),
});
/** Pages per writev on the target. */
const RUN_PAGES = 256;
const stateSchema = z.object({ seed: z.number().int(), writes: z.number().int().nonnegative() });

/** Where the target keeps incoming images, and what it does with them once the controller has decided. */
export interface IncomingStore {
  /** A fresh, empty (sparse) image for the VM, outside the images of the VMs this node runs. */
  open(hello: Hello): GuestImage;
  /** The controller recorded the migration: the VM runs here from now on, continuing `state`. */
  commit(hello: Hello, image: GuestImage, state: WorkloadState): void;
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
  /** Consecutive pages received and not yet written: one writev for a run instead of a pwrite per page. */
  private run: { first: number; pages: Uint8Array[] } = { first: 0, pages: [] };

  constructor(
    private readonly socket: Socket,
    private readonly store: IncomingStore,
    private readonly secrets: TargetSecrets,
  ) {
    socket.setNoDelay(true);
    socket.write(encodeFrame(FrameType.Challenge, 0, this.nonce));
    socket.on("data", (chunk: Buffer) => {
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
          this.store.commit(this.hello!, image, this.state);
        } else if (verdict === "abort") {
          this.settled = true;
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
    const secret = await this.secrets(hello.migrationId).catch(() => {
      throw new FrameError(`no transfer of migration ${hello.migrationId} to this node`);
    });
    if (!proofMatches(secret, hello.migrationId, this.nonce, proof)) throw new FrameError(`wrong transfer proof for migration ${hello.migrationId}`);
    if (this.refused || this.socket.destroyed) return;
    this.hello = hello;
    this.image = this.store.open(hello);
    this.written = new Uint8Array(this.image.pageCount);
    this.socket.write(encodeFrame(FrameType.Ready));
  }

  private async answerDigest(): Promise<void> {
    const image = this.need();
    this.store.corruptBeforeDigest?.(image);
    const digest = await image.digest();
    if (this.state) {
      this.store.verified(this.hello!, image, this.state);
      this.awaitingVerdict = true;
    }
    this.socket.write(encodeFrame(FrameType.Digest, 0, Buffer.from(digest)));
  }

  private writePage(page: number, bytes: Uint8Array, crc: number): void {
    this.need();
    this.inRange(page);
    if (checksum(bytes) !== crc) throw new FrameError(`checksum mismatch on page ${page}`);
    if (bytes === ZERO_PAGE && !this.written![page]) return;
    this.written![page] = 1;
    const run = this.run;
    if (run.pages.length === RUN_PAGES || (run.pages.length > 0 && page !== run.first + run.pages.length)) this.writeRun();
    if (run.pages.length === 0) run.first = page;
    // The delta buffer is reused for the next page: a delta's result is copied.
    run.pages.push(bytes === this.pageBuf ? Buffer.from(bytes) : bytes);
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
    if (!this.awaitingVerdict) this.store.discard(this.image);
  }
}
