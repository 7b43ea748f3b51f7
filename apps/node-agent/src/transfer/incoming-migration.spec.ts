import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GuestHost } from "../guest/guest-host";
import { DataServer } from "./data-server";
import { encodeFrame, encodeJson, type Frame, FrameDecoder, FrameType } from "./frame";
import { splitAddress } from "./tcp-transport";
import { transferProof } from "./transfer-auth";

const MIGRATION = "00000000-0000-4000-8000-000000000001";
/** A running migration whose target is another node: the controller gives this node no secret for it. */
const ELSEWHERE = "00000000-0000-4000-8000-000000000009";
const SECRET = "the-transfer-secret";
const facts = (migrationId: string) => ({ migrationId, vmId: "00000000-0000-4000-8000-000000000002", memMiB: 4, dirtyRateMiBps: 0, pageSizeBytes: 4096 });

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function target() {
  const dir = mkdtempSync(join(tmpdir(), "ferry-incoming-"));
  const guests = new GuestHost({ dataDir: dir, locality: { kind: "hotset", fraction: 0.1, share: 0.9 } });
  const secrets = async (id: string) => (id === MIGRATION ? SECRET : Promise.reject(new Error("not the target")));
  const server = new DataServer(guests, secrets, { port: 0, host: "127.0.0.1", advertiseHost: "127.0.0.1", helloTimeoutMs: 300 });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => guests.close(), () => server.close());
  const incoming = () => (existsSync(join(dir, "incoming")) ? readdirSync(join(dir, "incoming")) : []);
  return { address: await server.address(), incoming };
}

/**
 * Connects like a source: waits for the challenge, sends what `first` makes of it, and collects the target's
 * frames until it answers Ready or Error (then the connection stays open until the test ends).
 */
function session(address: string, first: (nonce: Buffer) => Buffer): Promise<Frame> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    cleanup.push(() => socket.destroy());
    const decoder = new FrameDecoder();
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.type === FrameType.Challenge) socket.write(first(Buffer.from(f.payload)));
        else resolve(f);
      }
    });
  });
}

describe("IncomingMigration authenticates the source", () => {
  it.each([
    { name: "right secret", first: (n: Buffer) => encodeJson(FrameType.Hello, { ...facts(MIGRATION), proof: transferProof(SECRET, MIGRATION, n) }), answer: FrameType.Ready, reason: "" },
    {
      name: "wrong secret",
      first: (n: Buffer) => encodeJson(FrameType.Hello, { ...facts(MIGRATION), proof: transferProof("guessed", MIGRATION, n) }),
      answer: FrameType.Error,
      reason: "wrong transfer proof",
    },
    {
      name: "proof made for another migration id",
      first: (n: Buffer) => encodeJson(FrameType.Hello, { ...facts(MIGRATION), proof: transferProof(SECRET, ELSEWHERE, n) }),
      answer: FrameType.Error,
      reason: "wrong transfer proof",
    },
    {
      name: "a migration this node is not the target of",
      first: (n: Buffer) => encodeJson(FrameType.Hello, { ...facts(ELSEWHERE), proof: transferProof(SECRET, ELSEWHERE, n) }),
      answer: FrameType.Error,
      reason: "no transfer of migration",
    },
    {
      name: "wrong secret with pages right behind the Hello",
      first: (n: Buffer) =>
        Buffer.concat([encodeJson(FrameType.Hello, { ...facts(MIGRATION), proof: transferProof("guessed", MIGRATION, n) }), encodeFrame(FrameType.Page, 0, Buffer.alloc(4096, 1))]),
      answer: FrameType.Error,
      reason: "wrong transfer proof",
    },
    { name: "Hello without a proof", first: () => encodeJson(FrameType.Hello, facts(MIGRATION)), answer: FrameType.Error, reason: "proof" },
    { name: "missing Hello: pages first", first: () => encodeFrame(FrameType.Page, 0, Buffer.alloc(4096, 1)), answer: FrameType.Error, reason: "before an authenticated Hello" },
    { name: "missing Hello: a Sync first", first: () => encodeFrame(FrameType.Sync, 1), answer: FrameType.Error, reason: "before an authenticated Hello" },
    { name: "silence after the challenge", first: () => Buffer.alloc(0), answer: FrameType.Error, reason: "no authenticated Hello in 300 ms" },
  ])("$name", async ({ first, answer, reason }) => {
    const t = await target();
    const f = await session(t.address, first);
    expect(FrameType[f.type]).toBe(FrameType[answer]);
    expect(f.payload.toString("utf8")).toContain(reason);
    expect(t.incoming()).toHaveLength(answer === FrameType.Ready ? 1 : 0);
  });
});
