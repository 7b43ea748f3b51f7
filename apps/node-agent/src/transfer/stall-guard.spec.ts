import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { StallGuard } from "./stall-guard";

const TIMEOUT_MS = 200;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A loopback connection: `local` is guarded, `peer` is the far end the case controls. */
async function pair(): Promise<{ local: Socket; peer: Socket; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const accepted = new Promise<Socket>((r) => server.once("connection", r));
  const local = connect((server.address() as AddressInfo).port, "127.0.0.1");
  await new Promise((r) => local.once("connect", r));
  return { local, peer: await accepted, server };
}

/** Writes until the socket's buffers are full, then waits for them to drain. */
function fillAndDrain(socket: Socket): Promise<void> {
  const chunk = Buffer.alloc(1 << 20);
  while (socket.write(chunk));
  return new Promise((r) => socket.once("drain", r));
}

const opened: { local: Socket; peer: Socket; server: Server }[] = [];
afterEach(() => {
  for (const { local, peer, server } of opened.splice(0)) {
    local.destroy();
    peer.destroy();
    server.close();
  }
});

describe("StallGuard", () => {
  it.each([
    {
      name: "waiting for a drain the peer never reads: stalled",
      wait: (local: Socket) => fillAndDrain(local),
      peer: (peer: Socket) => void peer.pause(),
      stalls: true,
    },
    {
      name: "waiting for an answer that never comes: stalled",
      wait: (local: Socket) => new Promise<void>((r) => local.once("data", () => r())),
      peer: () => undefined,
      stalls: true,
    },
    {
      name: "waiting while the peer answers every 50 ms: not stalled",
      wait: (local: Socket) => new Promise<void>((r) => local.on("data", (d) => d.includes(9) && r())),
      peer: (peer: Socket) => {
        for (let i = 1; i <= 10; i++) setTimeout(() => !peer.destroyed && peer.write(Buffer.from([i])), 50 * i);
      },
      stalls: false,
    },
  ])("$name", async ({ wait, peer, stalls }) => {
    const p = await pair();
    opened.push(p);
    let stalledAt: number | null = null;
    const guard = new StallGuard(p.local, TIMEOUT_MS, () => (stalledAt ??= performance.now()));
    peer(p.peer);
    const start = performance.now();
    await Promise.race([guard.during(wait(p.local)), sleep(TIMEOUT_MS * 4)]);
    if (stalls) {
      expect(stalledAt).not.toBeNull();
      expect(stalledAt! - start).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    } else expect(stalledAt).toBeNull();
  });

  it("an idle connection nobody waits on never counts as stalled", async () => {
    const p = await pair();
    opened.push(p);
    let stalled = false;
    const guard = new StallGuard(p.local, TIMEOUT_MS, () => (stalled = true));
    await guard.during(sleep(10));
    await sleep(TIMEOUT_MS * 3);
    expect(stalled).toBe(false);
    expect(p.local.timeout ?? 0).toBe(0);
  });
});
