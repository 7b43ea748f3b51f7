/**
 * The receiving side of bench:transfer, in a worker thread so that it has a core of its own, as a target agent
 * would: a raw TCP sink (counts bytes, answers one byte once it has `expect` of them), the same sink that also
 * does the least a target must do with the bytes ("image-sink": a CRC32 per 4 KiB and a write into a fresh
 * sparse file, no framing), or a target agent's data port over a guest host in a temporary folder.
 */
import type { LocalitySpec } from "@ferry/migration";
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { crc32 } from "@node-rs/crc32";
import { parentPort, workerData } from "node:worker_threads";
import { GuestHost } from "../../apps/node-agent/src/guest/guest-host";
import { DataServer } from "../../apps/node-agent/src/transfer/data-server";
import type { TransferTerms } from "../../apps/node-agent/src/transfer/transfer-auth";

// The source's locality: a post-copy guest goes on with the same write stream here.
const { mode, dataDir, locality } = workerData as { mode: "sink" | "image-sink" | "agent"; dataDir: string; locality: LocalitySpec };

async function main(): Promise<void> {
  if (mode === "agent") {
    // No controller here: run.ts posts each migration's terms (secret, VM, memory), and starts it once they are
    // acknowledged.
    const terms = new Map<string, TransferTerms>();
    parentPort!.on("message", (m: { migrationId: string; terms: TransferTerms }) => {
      terms.set(m.migrationId, m.terms);
      parentPort!.postMessage({ termsOf: m.migrationId });
    });
    const secrets = async (migrationId: string) => terms.get(migrationId) ?? Promise.reject(new Error(`no terms for migration ${migrationId}`));
    const server = new DataServer(new GuestHost({ dataDir, locality }), secrets, { port: 0, host: "127.0.0.1", advertiseHost: "127.0.0.1" });
    parentPort!.postMessage({ address: await server.address() });
    return;
  }
  mkdirSync(dataDir, { recursive: true });
  let connections = 0;
  const server = createServer((socket) => {
    let expect = -1;
    let seen = 0;
    let header = Buffer.alloc(0);
    const path = join(dataDir, `sink-${++connections}.img`);
    let fd: number | null = null;
    socket.on("data", (chunk: Buffer) => {
      if (expect < 0) {
        header = Buffer.concat([header, chunk]);
        if (header.length < 8) return;
        expect = Number(header.readBigUInt64BE(0));
        chunk = header.subarray(8);
        if (mode === "image-sink") {
          fd = openSync(path, "w+");
          ftruncateSync(fd, expect);
        }
      }
      if (fd !== null) {
        for (let at = 0; at < chunk.length; at += 4096) crc32(chunk.subarray(at, at + 4096));
        writeSync(fd, chunk, 0, chunk.length, seen);
      }
      seen += chunk.length;
      if (seen >= expect) {
        if (fd !== null) closeSync(fd);
        rmSync(path, { force: true });
        socket.write(Buffer.from([1]));
      }
    });
  });
  server.listen(0, "127.0.0.1", () => parentPort!.postMessage({ address: `127.0.0.1:${(server.address() as { port: number }).port}` }));
}

void main();
