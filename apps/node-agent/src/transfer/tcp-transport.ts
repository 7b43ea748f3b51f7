import { forEachBatchPage, PageSet, type Clock, type PageBatch, type SendReceipt, type Transport, type TransportStats } from "@ferry/migration";
import { connect, type Socket } from "node:net";
import { promisify } from "node:util";
import { deflateRaw } from "node:zlib";
import type { GuestImage } from "../guest/guest-image";
import type { WorkloadState } from "../guest/guest-workload";
import { checksum, encodeFrame, encodeJson, FRAME_HEADER_BYTES, FrameDecoder, FrameType, verifiedPayload, writeHeader, ZERO_PAGE } from "./frame";
import type { DigestAnswer } from "./incoming-migration";
import { decodePageList, decodeReverseBatch, encodePageList, type ReverseBatch } from "./reverse-batch";
import { StallGuard } from "./stall-guard";
import type { TokenBucket } from "./token-bucket";
import { transferProof } from "./transfer-auth";

const deflate = promisify(deflateRaw);
/** Pages per socket write: 1 MiB of 4 KiB pages. Consecutive pages of a chunk are read with one readv. */
const CHUNK_PAGES = 256;
/**
 * Writes the kernel has not taken yet when a send resolves, at most: the next chunk is framed while the last one
 * goes out, rather than after it. One, so that a post-copy fault's page waits behind little.
 */
const SEND_WINDOW_CHUNKS = 1;
/**
 * Pages per batch the techniques hand over TCP (their batchPages): a batch is read whole before it is sent
 * (see sendPages), so it is kept to a few chunks.
 */
export const TCP_BATCH_PAGES = 1024;

/** What the source tells the target when it connects (with the proof of the transfer secret, see reserveTarget). */
export interface Hello {
  readonly migrationId: string;
  readonly vmId: string;
  readonly memMiB: number;
  readonly dirtyRateMiBps: number;
  readonly pageSizeBytes: number;
  /** Post-copy: the target sends back every page the guest writes after the switchover (see incoming-migration.ts). */
  readonly reverseStream?: boolean;
}

export interface TcpTransportOptions {
  /** The target agent's data address, host:port. */
  readonly address: string;
  readonly hello: Hello;
  /** The migration's transfer secret from the claim answer: the Hello proves it to the target. */
  readonly secret: string;
  /** The source image the pages are read from. */
  readonly image: GuestImage;
  readonly bucket: TokenBucket;
  /** Deflate each batch (node:zlib, level 1). */
  readonly compress: boolean;
  readonly clock: Clock;
  /** The guest's state, read when the technique sends the device state. */
  readonly state: () => WorkloadState;
  /**
   * A batch of the post-copy guest's writes from the target, handed over as it arrives (in stream order, before
   * any later frame of the target's is acted on). A throw fails the transport.
   */
  readonly onReverse?: (batch: ReverseBatch) => void;
  /** How long the connection may make no progress while this side waits on it before it counts as dead (see StallGuard). */
  readonly stallTimeoutMs: number;
}

/** Counts beyond the library's TransportStats, for the report and the benchmark. */
export interface WireCounts {
  zeroPages: number;
  deltaPages: number;
  fullPages: number;
  /** Bytes before compression, when compressing. */
  rawBytes: number;
  throttledMs: number;
  /** Post-copy: reverse batches and their bytes (target to source). */
  reverseBatches: number;
  reverseBytes: number;
}

/**
 * The source end of a migration between two node agents: the library's `Transport` over one TCP connection in
 * the frames of frame.ts. Every page goes with its CRC32; all-zero pages go as a header (QEMU's zero-page
 * detection, done here on the real bytes), XBZRLE deltas as the library's encoder made them; batches can be
 * deflated; a token bucket caps the rate. A send resolves once no more than SEND_WINDOW_CHUNKS writes wait for
 * the kernel (the socket's and the kernel's buffers are the pipe), which is when the technique may go on;
 * `flush`, the state and the reservation wait for the target's answer. Any error from the target or the socket
 * fails every call from then on.
 *
 * Post-copy: `resumeTarget` starts the guest on the target; its faults come back as Request frames (handed to
 * the technique by takePageRequests) and its writes as Reverse frames (handed to `onReverse`).
 */
export class TcpTransport implements Transport {
  readonly name = "tcp";
  readonly counts: WireCounts = { zeroPages: 0, deltaPages: 0, fullPages: 0, rawBytes: 0, throttledMs: 0, reverseBatches: 0, reverseBytes: 0 };
  private readonly decoder = new FrameDecoder();
  /** Chunk buffers the kernel has taken, for the next chunks (a fresh buffer costs page faults on every use). */
  private readonly spareChunks: Buffer[] = [];
  /** Writes the kernel has not taken yet, oldest first. */
  private readonly inFlight: Promise<void>[] = [];
  /** Rejects once the transport failed: what a send waiting for the kernel races against. */
  private readonly failed: Promise<never>;
  private rejectFailed!: (e: Error) => void;
  private readonly waiting = new Map<string, { resolve: (f: Buffer) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  private seq = 0;
  private pagesSent = 0;
  private bytesSent = 0;
  private rtt = 0;
  /** Pages whose current copy the target holds: sent, and not discarded since. */
  private readonly atTarget: PageSet;
  private readonly requests: number[] = [];
  private pageRequests = 0;
  private requestBytes = 0;
  /** The target's nonce, sent as soon as it accepts the connection. */
  private readonly challenge: Promise<Buffer>;
  private readonly guard: StallGuard;

  private constructor(
    private readonly o: TcpTransportOptions,
    private readonly socket: Socket,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined);
    this.atTarget = new PageSet(o.image.pageCount);
    this.challenge = this.expect("challenge");
    this.challenge.catch(() => undefined);
    this.guard = new StallGuard(socket, o.stallTimeoutMs, () => {
      this.fail(new Error(`data connection to ${o.address} stalled: nothing moved for ${o.stallTimeoutMs} ms (network partition?)`));
      socket.destroy();
    });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => this.fail(new Error(`data connection to ${o.address}: ${e.message}`)));
    socket.on("close", () => this.fail(new Error(`data connection to ${o.address} closed`)));
  }

  /**
   * `signal` aborts the connecting only. Node would tie it to the socket for good (connect's own `signal`): a
   * cancel heard after the switchover, or a late answer to a progress report, would then cut the connection
   * the verdict still has to cross. Once connected, the technique watches the signal itself. Connecting counts
   * as waiting on the connection: a target that does not answer within the stall timeout fails it (the
   * kernel's own SYN retries would take about two minutes).
   */
  static connect(o: TcpTransportOptions, signal?: AbortSignal): Promise<TcpTransport> {
    const [host, port] = splitAddress(o.address);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const socket = connect({ host, port, noDelay: true });
      const abort = () => socket.destroy(new Error(`connecting to ${o.address} aborted: ${String(signal!.reason)}`));
      const silent = setTimeout(() => socket.destroy(new Error(`connecting to ${o.address}: no answer in ${o.stallTimeoutMs} ms (network partition?)`)), o.stallTimeoutMs);
      const settle = () => {
        clearTimeout(silent);
        signal?.removeEventListener("abort", abort);
      };
      signal?.addEventListener("abort", abort, { once: true });
      socket.once("connect", () => {
        settle();
        socket.removeListener("error", reject);
        resolve(new TcpTransport(o, socket));
      });
      socket.once("error", (e) => {
        settle();
        reject(e);
      });
    });
  }

  /**
   * Authenticates to the target and has it open the incoming image: the Hello carries an HMAC of the target's
   * challenge with the transfer secret. The round trip is timed on a Sync afterwards, as the target asks the
   * controller for the secret before it answers the Hello.
   */
  async reserveTarget(): Promise<void> {
    const nonce = await this.challenge;
    const ready = this.expect("ready");
    const { hello, secret } = this.o;
    this.write(encodeJson(FrameType.Hello, { ...hello, proof: transferProof(secret, hello.migrationId, nonce) }));
    await ready;
    const start = performance.now();
    await this.flush();
    this.rtt = performance.now() - start;
  }

  /**
   * Sends a batch. Every page of it is read and framed before the first await: the guest's workload writes
   * between awaits, and the target must get each page as it was when the technique handed it over (an XBZRLE
   * delta of a later round is made against that version). The executor keeps batches small (TCP_BATCH_PAGES)
   * for that reason. The frames then go out in chunks of CHUNK_PAGES pages.
   */
  async sendPages(batch: PageBatch): Promise<SendReceipt> {
    const startMs = this.o.clock.now();
    const pages = new Uint32Array(batch.pageCount);
    let n = 0;
    forEachBatchPage(batch, (page) => (pages[n++] = page));
    const chunks: { frames: Buffer; buffer: Buffer }[] = [];
    for (let from = 0; from < n; from += CHUNK_PAGES) chunks.push(this.encodeChunk(pages.subarray(from, Math.min(n, from + CHUNK_PAGES)), batch.deltas));
    for (let i = 0; i < n; i++) this.atTarget.add(pages[i]);
    let bytes = 0;
    for (const chunk of chunks) bytes += await this.sendChunk(chunk.frames, chunk.buffer);
    this.pagesSent += batch.pageCount;
    const endMs = this.o.clock.now();
    return { startMs, endMs, arrivalMs: endMs, bytes };
  }

  async sendDiscard(pages: PageSet): Promise<SendReceipt> {
    const startMs = this.o.clock.now();
    const stale = pages.toArray();
    for (const page of stale) this.atTarget.delete(page);
    const frame = encodeFrame(FrameType.Discard, 0, encodePageList(stale));
    await this.send(frame);
    const endMs = this.o.clock.now();
    return { startMs, endMs, arrivalMs: endMs, bytes: frame.length };
  }

  /** Pages the target lacks a current copy of: it has to fault them in if its guest resumes now. */
  missingAtTarget(): number {
    return this.o.image.pageCount - this.atTarget.count();
  }

  /** Post-copy: the target starts the guest now, on the pages it has. */
  resumeTarget(): void {
    this.write(encodeFrame(FrameType.Resume));
  }

  async sendState(): Promise<SendReceipt> {
    const startMs = this.o.clock.now();
    const frame = encodeJson(FrameType.State, this.o.state());
    await this.send(frame);
    await this.flush();
    const endMs = this.o.clock.now();
    return { startMs, endMs, arrivalMs: endMs, bytes: frame.length };
  }

  takePageRequests(): readonly number[] {
    return this.requests.splice(0);
  }

  async flush(): Promise<void> {
    const seq = ++this.seq;
    const acked = this.expect(`ack:${seq}`);
    this.write(encodeFrame(FrameType.Sync, seq));
    await this.guard.during(acked);
  }

  rttMs(): number {
    return this.rtt;
  }

  stats(): TransportStats {
    return { pagesSent: this.pagesSent, bytesSent: this.bytesSent, requestBytes: this.requestBytes, pageRequests: this.pageRequests };
  }

  /**
   * SHA-256 of the target's image as the target computed it, with the guest's write count there. A post-copy
   * guest pauses for it, and its last writes come back (to onReverse) before the answer. Not timed by the stall
   * guard: hashing a large image takes long; keepalive notices a dead link once the request is acknowledged.
   */
  async targetDigest(): Promise<DigestAnswer> {
    const answer = this.expect("digest");
    this.write(encodeFrame(FrameType.Digest));
    return JSON.parse((await answer).toString("utf8")) as DigestAnswer;
  }

  /** Tells the target the controller's verdict and waits until it has acted on it. */
  async verdict(verdict: "commit" | "abort"): Promise<void> {
    this.write(encodeFrame(FrameType.Verdict, 0, Buffer.from(verdict)));
    await this.flush();
  }

  close(): void {
    this.fail(new Error("transport closed"));
    this.socket.end();
  }

  /**
   * Frames the pages into a chunk buffer: each run of consecutive pages is read (one readv) straight into the
   * payload slots of its frames, so a full page is never copied; a zero page or a delta takes less room than its
   * slot, and the frames after it are moved up to close the gap.
   */
  private encodeChunk(pages: Uint32Array, deltas: ReadonlyMap<number, Uint8Array> | undefined): { frames: Buffer; buffer: Buffer } {
    const pageBytes = this.o.image.pageSizeBytes;
    const slot = FRAME_HEADER_BYTES + pageBytes;
    const out = this.spareChunks.pop() ?? Buffer.allocUnsafeSlow(CHUNK_PAGES * slot);
    let at = 0;
    for (let i = 0; i < pages.length; ) {
      let run = 1;
      while (i + run < pages.length && pages[i + run] === pages[i] + run) run++;
      // The run's slots start at `at`: everything before it is framed already.
      const views: Buffer[] = [];
      for (let k = 0; k < run; k++) views.push(out.subarray(at + k * slot + FRAME_HEADER_BYTES, at + (k + 1) * slot));
      this.o.image.readPages(pages[i], views);
      for (let k = 0; k < run; k++) {
        const page = pages[i + k];
        const delta = deltas?.get(page);
        at = delta ? this.encodeDelta(page, delta, views[k], out, at) : this.encodePage(page, views[k], out, at);
      }
      i += run;
    }
    return { frames: out.subarray(0, at), buffer: out };
  }

  private async sendChunk(frames: Buffer, buffer: Buffer): Promise<number> {
    let out = frames;
    if (this.o.compress && out.length > 0) {
      this.counts.rawBytes += out.length;
      try {
        out = encodeFrame(FrameType.Compressed, 0, await deflate(out, { level: 1 }));
      } finally {
        this.spareChunks.push(buffer);
      }
      await this.send(out);
    } else await this.send(out, buffer);
    return out.length;
  }

  /** Frames a delta at `at`, from the page read into its slot at or after `at` (a delta is never longer than a page). */
  private encodeDelta(page: number, delta: Uint8Array, bytes: Buffer, out: Buffer, at: number): number {
    if (delta.length > bytes.length) throw new Error(`a delta of ${delta.length} bytes for a page of ${bytes.length}`);
    writeHeader(out, at, FrameType.Delta, page, delta.length, checksum(bytes));
    out.set(delta, at + FRAME_HEADER_BYTES);
    this.counts.deltaPages++;
    return at + FRAME_HEADER_BYTES + delta.length;
  }

  /** Frames the page read into its slot (`bytes`, at or after `at`) at `at`. */
  private encodePage(page: number, bytes: Buffer, out: Buffer, at: number): number {
    if (bytes.equals(ZERO_PAGE)) {
      writeHeader(out, at, FrameType.Zero, page, 0, 0);
      this.counts.zeroPages++;
      return at + FRAME_HEADER_BYTES;
    }
    const crc = checksum(bytes);
    if (bytes.byteOffset - out.byteOffset !== at + FRAME_HEADER_BYTES) bytes.copy(out, at + FRAME_HEADER_BYTES);
    writeHeader(out, at, FrameType.Page, page, bytes.length, crc);
    this.counts.fullPages++;
    return at + FRAME_HEADER_BYTES + bytes.length;
  }

  /**
   * Writes `bytes` and resolves once at most SEND_WINDOW_CHUNKS writes wait for the kernel (the socket's buffer
   * and the kernel's are the pipe). `buffer` (under `bytes`) goes back to the spare chunks once the kernel took it.
   */
  private async send(bytes: Buffer, buffer?: Buffer): Promise<void> {
    this.counts.throttledMs += await this.o.bucket.take(bytes.length);
    if (this.failure) throw this.failure;
    const taken = new Promise<void>((resolve, reject) =>
      this.socket.write(bytes, (e) => {
        if (e) return reject(e);
        if (buffer) this.spareChunks.push(buffer);
        resolve();
      }),
    );
    taken.catch(() => undefined);
    this.inFlight.push(taken);
    this.bytesSent += bytes.length;
    while (this.inFlight.length > SEND_WINDOW_CHUNKS) await this.guard.during(Promise.race([this.inFlight.shift()!, this.failed]));
  }

  private write(bytes: Buffer): boolean {
    if (this.failure) throw this.failure;
    return this.socket.write(bytes);
  }

  private expect(key: string): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.set(key, { resolve, reject }));
  }

  private onData(chunk: Buffer): void {
    try {
      for (const f of this.decoder.push(chunk)) {
        const payload = verifiedPayload(f);
        if (f.type === FrameType.Error) throw new Error(`target refused the migration: ${payload.toString("utf8")}`);
        if (f.type === FrameType.Request) {
          const pages = decodePageList(payload);
          this.requests.push(...pages);
          this.pageRequests += pages.length;
          this.requestBytes += f.payload.length + FRAME_HEADER_BYTES;
          continue;
        }
        if (f.type === FrameType.Reverse) {
          if (!this.o.onReverse) throw new Error("the target sent writes back, which this migration did not ask for");
          this.o.onReverse(decodeReverseBatch(payload, this.o.image.pageSizeBytes));
          this.counts.reverseBatches++;
          this.counts.reverseBytes += f.payload.length + FRAME_HEADER_BYTES;
          continue;
        }
        const key =
          f.type === FrameType.Challenge ? "challenge" : f.type === FrameType.Ready ? "ready" : f.type === FrameType.Ack ? `ack:${f.page}` : f.type === FrameType.Digest ? "digest" : null;
        const waiter = key ? this.waiting.get(key) : undefined;
        if (!key || !waiter) throw new Error(`unexpected ${FrameType[f.type]} frame from the target`);
        this.waiting.delete(key);
        waiter.resolve(payload);
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      this.socket.destroy();
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.rejectFailed(this.failure);
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}

export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad data address "${address}": expected host:port`);
  return [address.slice(0, i).replace(/^\[|\]$/g, ""), port];
}
