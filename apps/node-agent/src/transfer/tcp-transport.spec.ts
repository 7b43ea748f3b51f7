import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GuestImage } from "../guest/guest-image";
import { encodeFrame, FrameDecoder, FrameType } from "./frame";
import { TcpTransport } from "./tcp-transport";
import { TokenBucket } from "./token-bucket";

const STALL_MS = 300;
const MEM_MIB = 32;

/**
 * A target that goes silent the way a partitioned peer does: it accepts, challenges, answers the Hello and
 * then, per case, acks the first Sync or not, and stops reading (no FIN, no RST).
 */
async function silentTarget(acksFirstSync: boolean): Promise<{ server: Server; address: string }> {
  const server = createServer((socket: Socket) => {
    const decoder = new FrameDecoder();
    socket.write(encodeFrame(FrameType.Challenge, 0, Buffer.alloc(32, 1)));
    socket.on("data", (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.type === FrameType.Hello) socket.write(encodeFrame(FrameType.Ready));
        if (f.type === FrameType.Sync && acksFirstSync) {
          socket.write(encodeFrame(FrameType.Ack, f.page));
          socket.pause();
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function transportTo(address: string, signal?: AbortSignal): Promise<TcpTransport> {
  const dir = mkdtempSync(join(tmpdir(), "ferry-transport-"));
  const image = GuestImage.open(join(dir, "vm.img"), MEM_MIB);
  // Non-zero pages: zero pages go as headers alone and would not fill the socket.
  for (let p = 0; p < image.pageCount; p++) image.writePage(p, Buffer.alloc(4096, (p % 255) + 1));
  const t = await TcpTransport.connect({
    address,
    hello: { migrationId: "00000000-0000-4000-8000-000000000001", vmId: "00000000-0000-4000-8000-000000000002", memMiB: MEM_MIB, dirtyRateMiBps: 0, pageSizeBytes: 4096 },
    secret: "s",
    image,
    bucket: TokenBucket.mbps(null),
    compress: false,
    clock: { now: () => performance.now() },
    state: () => ({ seed: 1, writes: 0 }),
    stallTimeoutMs: STALL_MS,
  }, signal);
  cleanup.push(() => {
    t.close();
    image.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return t;
}

describe("TcpTransport against a target that goes silent (a partition)", () => {
  it.each([
    {
      name: "waiting for an Ack: the flush fails as stalled",
      acksFirstSync: false,
      act: (t: TcpTransport) => t.reserveTarget(),
    },
    {
      name: "streaming pages into a full socket: the send fails as stalled",
      acksFirstSync: true,
      act: async (t: TcpTransport) => {
        await t.reserveTarget();
        const pages = Uint32Array.from({ length: MEM_MIB * 256 }, (_, i) => i);
        for (let from = 0; from < pages.length; from += 1024) {
          await t.sendPages({ kind: "list", pages: pages.subarray(from, from + 1024), pageCount: 1024, wireBytes: 0 });
        }
      },
    },
  ])("$name", async ({ acksFirstSync, act }) => {
    const { server, address } = await silentTarget(acksFirstSync);
    cleanup.push(() => server.close());
    const t = await transportTo(address);
    const start = performance.now();
    const error = await act(t).then(
      () => null,
      (e: Error) => e,
    );
    const ms = performance.now() - start;
    expect(error?.message).toMatch(/stalled: nothing moved for 300 ms/);
    // Node grants a write in progress one more period before it reports the timeout.
    expect(ms).toBeGreaterThanOrEqual(STALL_MS - 20);
    expect(ms).toBeLessThan(3 * STALL_MS + 1000);
  });
});

describe("TcpTransport.connect's abort signal", () => {
  it("aborts the connecting, not the connection: aborted afterwards (a late cancel), the session goes on", async () => {
    const { server, address } = await silentTarget(true);
    cleanup.push(() => server.close());
    const abort = new AbortController();
    const t = await transportTo(address, abort.signal);
    abort.abort("cancelled by the controller");
    await expect(t.reserveTarget()).resolves.toBeUndefined();
  });

  it("an already aborted signal refuses to connect", async () => {
    const { server, address } = await silentTarget(true);
    cleanup.push(() => server.close());
    await expect(transportTo(address, AbortSignal.abort("shutting down"))).rejects.toBe("shutting down");
  });
});
