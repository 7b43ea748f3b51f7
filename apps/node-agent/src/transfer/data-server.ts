import { createServer, type Server, type Socket } from "node:net";
import { IncomingMigration, SOURCE_SILENCE_MS, type IncomingStore } from "./incoming-migration";
import { DEFAULT_STALL_TIMEOUT_MS, StallGuard } from "./stall-guard";
import type { TargetSecrets } from "./transfer-auth";

/**
 * The agent's data port: other agents connect to it to migrate a VM here, one connection per migration. It
 * listens before the agent registers, so the address the controller hands to sources is live. Every connection
 * authenticates with its migration's transfer secret (see IncomingMigration).
 */
export class DataServer {
  private server: Server | null = null;
  private address_: string | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly store: IncomingStore,
    private readonly secrets: TargetSecrets,
    private readonly listen: { port: number; host: string; advertiseHost: string; helloTimeoutMs?: number; stallTimeoutMs?: number },
  ) {}

  /** Starts listening (once) and returns the address to advertise, host:port. */
  async address(): Promise<string> {
    if (this.address_) return this.address_;
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
      // A source cut off by a partition sends nothing more, not even a FIN: keepalive is how this end finds out.
      StallGuard.keepAlive(socket, this.listen.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
      const stallTimeoutMs = this.listen.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
      new IncomingMigration(socket, this.store, this.secrets, { helloTimeoutMs: this.listen.helloTimeoutMs, sourceSilenceMs: Math.min(SOURCE_SILENCE_MS, stallTimeoutMs / 2) });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.listen.port, this.listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as { port: number }).port;
    this.address_ = `${this.listen.advertiseHost}:${port}`;
    return this.address_;
  }

  /**
   * Stops listening and cuts every incoming migration (agent shutdown): each session ends as if the connection
   * had dropped, so its image is discarded unless its digest already went out.
   */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
