import type { Socket } from "node:net";

/**
 * A write that drains slowly is progress (Node checks its queue before reporting a timeout); the longest honest
 * silence is a wait for an answer behind a full kernel send buffer, a few MiB at the link's rate. 30 s covers
 * that down to about 1 Mbit/s and is short beside TCP's own 15 minutes.
 */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/**
 * Notices a data connection whose peer has vanished without a word: a dropped link or a partition sends no
 * FIN or RST, and TCP keeps retransmitting into it for about 15 minutes (tcp_retries2) before it gives up.
 *
 * Two tools, each for the state it can see:
 * - while this side waits on the connection (`during`: its bytes to drain into the kernel, an answer to come),
 *   a socket timeout: no byte read and no write progressed for `timeoutMs` means the connection is stuck (Node
 *   lets a write whose queue shrank since the last period go on for another, so a stall is reported after one to
 *   two periods). It is
 *   off the rest of the time, so a throttled sender, a controller call or the peer hashing an image never
 *   trips it;
 * - while the connection is idle with nothing unacknowledged, TCP keepalive after `timeoutMs` (libuv then
 *   probes every second, ten times): this is how a receiver, which has nothing to send, learns of it.
 */
export class StallGuard {
  private waits = 0;

  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
    onStall: () => void,
  ) {
    socket.setKeepAlive(true, timeoutMs);
    socket.on("timeout", () => {
      if (this.waits > 0) onStall();
    });
  }

  /** Sets keepalive only: the side that never waits on a stream of its own (the target). */
  static keepAlive(socket: Socket, timeoutMs: number): void {
    socket.setKeepAlive(true, timeoutMs);
  }

  /** Waits for `promise`, counting time without progress on the socket meanwhile. */
  async during<T>(promise: Promise<T>): Promise<T> {
    if (this.waits++ === 0) this.socket.setTimeout(this.timeoutMs);
    try {
      return await promise;
    } finally {
      if (--this.waits === 0) this.socket.setTimeout(0);
    }
  }
}
