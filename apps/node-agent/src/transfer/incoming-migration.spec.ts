import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GuestHost } from "../guest/guest-host";
import type { GuestWorkload } from "../guest/guest-workload";
import { DataServer } from "./data-server";
import { encodeFrame, encodeJson, type Frame, FrameDecoder, FrameType } from "./frame";
import { splitAddress } from "./tcp-transport";
import { transferProof } from "./transfer-auth";
import { until } from "../../test/support/until";

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
  const secrets = async (id: string) => (id === MIGRATION ? { secret: SECRET, vmId: facts(id).vmId, memMiB: facts(id).memMiB } : Promise.reject(new Error("not the target")));
  const server = new DataServer(guests, secrets, { port: 0, host: "127.0.0.1", advertiseHost: "127.0.0.1", helloTimeoutMs: 300, stallTimeoutMs: 1000 });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => guests.close(), () => server.close());
  const incoming = () => (existsSync(join(dir, "incoming")) ? readdirSync(join(dir, "incoming")) : []);
  return { address: await server.address(), incoming, guests };
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
    {
      name: "right secret, another VM than the migration's",
      first: (n: Buffer) => encodeJson(FrameType.Hello, { ...facts(MIGRATION), vmId: "00000000-0000-4000-8000-00000000000b", proof: transferProof(SECRET, MIGRATION, n) }),
      answer: FrameType.Error,
      reason: "moves VM 00000000-0000-4000-8000-000000000002",
    },
    {
      name: "right secret, another memory size than the migration's",
      first: (n: Buffer) => encodeJson(FrameType.Hello, { ...facts(MIGRATION), memMiB: 8, proof: transferProof(SECRET, MIGRATION, n) }),
      answer: FrameType.Error,
      reason: "of 8 MiB",
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

describe("IncomingMigration runs a post-copy guest only while its source is heard", () => {
  it("pauses the guest when the source goes silent for half its stall timeout, and resumes it when bytes come again", async () => {
    const t = await target();
    const started: GuestWorkload[] = [];
    const startIncoming = t.guests.startIncoming.bind(t.guests);
    t.guests.startIncoming = (...args) => {
      const guest = startIncoming(...args);
      started.push(guest);
      return guest;
    };
    const hello = { ...facts(MIGRATION), dirtyRateMiBps: 4, reverseStream: false };
    let socket!: Socket;
    const ready = new Promise<void>((resolve) => {
      const [host, port] = splitAddress(t.address);
      socket = connect({ host, port });
      cleanup.push(() => socket.destroy());
      const decoder = new FrameDecoder();
      socket.on("data", (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          if (f.type === FrameType.Challenge) socket.write(encodeJson(FrameType.Hello, { ...hello, proof: transferProof(SECRET, MIGRATION, Buffer.from(f.payload)) }));
          if (f.type === FrameType.Ready) resolve();
        }
      });
    });
    await ready;
    // Every page is in (zero pages, header only): the guest never stalls on a fault, so only a pause stops it.
    const frames = [];
    for (let page = 0; page < (4 * 1048576) / 4096; page++) frames.push(encodeFrame(FrameType.Zero, page));
    frames.push(encodeJson(FrameType.State, { seed: 1, writes: 0 }), encodeFrame(FrameType.Resume));
    socket.write(Buffer.concat(frames));
    await until(() => started.length === 1 && started[0].writes > 50);
    const guest = started[0];
    await new Promise((r) => setTimeout(r, 800));
    const silent = guest.writes;
    await new Promise((r) => setTimeout(r, 300));
    expect(guest.writes).toBe(silent);
    socket.write(encodeFrame(FrameType.Sync, 1));
    await until(() => guest.writes > silent);
  });
});
