import { createRng, type Rng } from "@ferry/random";
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from "node:net";

/**
 * What a slow, lossy link does to one TCP connection, as seen by its two ends. TCP cannot lose bytes inside a
 * stream: a lost segment is sent again after a retransmission timeout, and everything behind it waits. So loss
 * is modelled by what it costs, not by dropping bytes.
 */
export interface LinkConditions {
  /** One-way delay of every chunk, each direction. */
  readonly delayMs: number;
  /** Up to this much more delay, drawn per chunk (order is kept, as TCP keeps it). */
  readonly jitterMs: number;
  /** Chance per chunk of a lost segment: the chunk and all behind it wait `stallMs` more (head-of-line blocking). */
  readonly stallChance: number;
  /** The retransmission delay of a lost segment (Linux's minimum RTO is 200 ms). */
  readonly stallMs: number;
  /**
   * After this many bytes from client to server, both connections are reset (RST), as by a middlebox; null: never.
   * Taken when a connection opens.
   */
  readonly resetAfterBytes: number | null;
}

export const CLEAN_LINK: LinkConditions = { delayMs: 0, jitterMs: 0, stallChance: 0, stallMs: 0, resetAfterBytes: null };

/**
 * Bytes a direction holds before it stops reading its sender: the link's window. Large beside what a test sends
 * per round trip, so delay costs round trips, not throughput.
 */
const WINDOW_BYTES = 8 << 20;

/**
 * A user-space TCP proxy that makes a link slow and lossy for the connections through it (this kernel has no
 * netem): a delay line per direction with jitter, retransmission stalls and optional resets, driven by a seeded
 * generator so a run can be replayed. Conditions may change between connections and apply to chunks as they
 * arrive. It does not limit bandwidth (use tbf on a veth for that).
 */
export class DelayProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly rng: Rng;
  conditions: LinkConditions = CLEAN_LINK;
  /** Connections reset so far (resetAfterBytes). */
  resets = 0;
  /** Chunks held back by a retransmission stall so far. */
  stalls = 0;

  /**
   * `target.port` 0 means the port the proxy gets (a server listening on the same port in another namespace).
   */
  constructor(
    private readonly listen: { host: string; port: number },
    private readonly target: { readonly host: string; port: number },
    seed = 1,
  ) {
    this.rng = createRng(seed);
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.listen.port, this.listen.host, () => resolve());
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    if (this.target.port === 0) this.target.port = port;
    return { host: this.listen.host, port };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = createConnection(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => undefined);
    }
    // A clean end travels through the delay line (see delayLine); a broken connection breaks the other at once.
    client.on("close", (hadError) => hadError && upstream.destroy());
    upstream.on("close", (hadError) => hadError && client.destroy());
    let forwarded = 0;
    const limit = this.conditions.resetAfterBytes;
    const reset = () => {
      this.resets++;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    this.delayLine(client, upstream, (n) => {
      forwarded += n;
      if (limit !== null && forwarded >= limit) reset();
    });
    this.delayLine(upstream, client, () => undefined);
  }

  /** Forwards `from` to `to`, each chunk at its own release time, in order. */
  private delayLine(from: Socket, to: Socket, forwarded: (bytes: number) => void): void {
    const queue: { at: number; chunk: Buffer }[] = [];
    let queuedBytes = 0;
    let timer: NodeJS.Timeout | null = null;
    let lastAt = 0;
    const release = () => {
      timer = null;
      const now = performance.now();
      while (queue.length > 0 && queue[0].at <= now && !to.destroyed) {
        const { chunk } = queue.shift()!;
        queuedBytes -= chunk.length;
        to.write(chunk);
        forwarded(chunk.length);
      }
      if (queue.length > 0) timer = setTimeout(release, queue[0].at - now);
      if (queuedBytes < WINDOW_BYTES && from.isPaused()) from.resume();
    };
    from.on("data", (chunk: Buffer) => {
      const c = this.conditions;
      let at = performance.now() + c.delayMs + this.rng.next() * c.jitterMs;
      if (c.stallChance > 0 && this.rng.next() < c.stallChance) {
        at += c.stallMs;
        this.stalls++;
      }
      lastAt = Math.max(lastAt, at);
      queue.push({ at: lastAt, chunk });
      queuedBytes += chunk.length;
      if (queuedBytes >= WINDOW_BYTES) from.pause();
      timer ??= setTimeout(release, lastAt - performance.now());
    });
    from.on("end", () => {
      const finish = () => (queue.length === 0 ? to.end() : setTimeout(finish, 5));
      finish();
    });
    from.on("close", () => timer && clearTimeout(timer));
  }
}
