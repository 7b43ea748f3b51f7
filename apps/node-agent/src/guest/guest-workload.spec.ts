import { PageSet } from "@ferry/migration";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GuestImage } from "./guest-image";
import { GuestWorkload } from "./guest-workload";

const dirs: string[] = [];
function image(memMiB = 8): GuestImage {
  const dir = mkdtempSync(join(tmpdir(), "ferry-guest-"));
  dirs.push(dir);
  return GuestImage.open(join(dir, "vm.img"), memMiB);
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ZERO_8MIB_SHA256 = "2daeb1f36095b44b318410b3f4e8b5d989dcc7bb023d1426c492dab0a3053e74";

describe("GuestImage", () => {
  it("a new image is sparse, all zero, and memMiB long", async () => {
    const img = image();
    expect(statSync(img.path).size).toBe(8 * 1048576);
    expect(statSync(img.path).blocks * 512).toBeLessThan(1048576);
    expect(await img.digest()).toBe(ZERO_8MIB_SHA256);
  });

  it("pages read back what was written, and the digest changes", async () => {
    const img = image();
    img.writePage(5, Buffer.alloc(4096, 7));
    const out = Buffer.alloc(3 * 4096);
    img.readPages(4, [0, 1, 2].map((k) => out.subarray(k * 4096, (k + 1) * 4096)));
    expect([out[0], out[4096], out[8191], out[8192]]).toEqual([0, 7, 7, 0]);
    expect(await img.digest()).not.toBe(ZERO_8MIB_SHA256);
    expect(() => img.writeAt(8 * 1048576 - 1, Buffer.alloc(2))).toThrow(RangeError);
  });
});

describe("GuestWorkload", () => {
  const locality = { kind: "hotset", fraction: 0.1, share: 0.9 } as const;

  it("dirty tracking is exact: the log holds the pages whose bytes changed, and only while tracking", () => {
    const img = image();
    const w = new GuestWorkload({ image: img, dirtyMiBps: 1, locality, seed: 3 });
    w.writeNow(100);
    const log = new PageSet(img.pageCount);
    w.takeDirty(log);
    expect(log.count()).toBe(0);
    const before = Buffer.alloc(img.byteLength);
    for (let p = 0; p < img.pageCount; p++) img.readPage(p, before.subarray(p * 4096));
    w.setTracking(true);
    w.writeNow(500);
    w.takeDirty(log);
    const after = Buffer.alloc(img.byteLength);
    for (let p = 0; p < img.pageCount; p++) img.readPage(p, after.subarray(p * 4096));
    const changed = new PageSet(img.pageCount);
    for (let p = 0; p < img.pageCount; p++) if (!before.subarray(p * 4096, (p + 1) * 4096).equals(after.subarray(p * 4096, (p + 1) * 4096))) changed.add(p);
    expect(log.toArray()).toEqual(changed.toArray());
    w.takeDirty(log);
    expect(log.count()).toBe(0);
  });

  it("is deterministic: (seed, writes) gives the image, and a workload continues another's stream", async () => {
    const a = image();
    const b = image();
    new GuestWorkload({ image: a, dirtyMiBps: 1, locality, seed: 9 }).writeNow(300);
    const first = new GuestWorkload({ image: b, dirtyMiBps: 1, locality, seed: 9 });
    first.writeNow(120);
    new GuestWorkload({ image: b, dirtyMiBps: 1, locality, seed: 9, writesDone: first.state.writes }).writeNow(180);
    expect(await b.digest()).toBe(await a.digest());
  });

  it("writes follow the locality: most land in the hot tenth", () => {
    const img = image(16);
    const w = new GuestWorkload({ image: img, dirtyMiBps: 1, locality, seed: 1 });
    w.setTracking(true);
    w.writeNow(2000);
    const log = new PageSet(img.pageCount);
    w.takeDirty(log);
    // 2000 uniform writes would touch ~1600 of 4096 pages; a 90% hot set of ~410 pages keeps it far lower.
    expect(log.count()).toBeLessThan(900);
  });

  it("writes at its rate while running, none while paused, and counts the work lost", async () => {
    const img = image();
    const w = new GuestWorkload({ image: img, dirtyMiBps: 4, locality, seed: 1 });
    w.start();
    await new Promise((r) => setTimeout(r, 200));
    w.pause();
    const atPause = w.writes;
    await new Promise((r) => setTimeout(r, 100));
    expect(w.writes).toBe(atPause);
    expect(atPause).toBeGreaterThan(0);
    expect(w.lostWorkMs).toBeGreaterThanOrEqual(90);
    w.stop();
  });

  it("post-copy: a write to a missing page stalls the guest until the page arrives, and the stream stays the same", async () => {
    const reference = image();
    new GuestWorkload({ image: reference, dirtyMiBps: 1, locality, seed: 5 }).writeNow(400);
    const img = image();
    const missing = PageSet.full(img.pageCount);
    const faults: number[] = [];
    const w = new GuestWorkload({ image: img, dirtyMiBps: 1, locality, seed: 5, missing, onFault: (p) => faults.push(p) });
    while (w.writes < 400) {
      w.writeNow(400 - w.writes);
      const page = w.stalledOn;
      if (page === null) continue;
      expect(faults.at(-1)).toBe(page);
      missing.delete(page);
      w.pageArrived(page);
    }
    expect(w.faults).toBe(faults.length);
    expect(faults.length).toBeGreaterThan(10);
    expect(await img.digest()).toBe(await reference.digest());
  });

  it("post-copy, running: the work lost is the time spent waiting for pages, and the next fault comes as soon as the guest runs on", async () => {
    const img = image();
    const missing = PageSet.full(img.pageCount);
    let served = 0;
    const serveMs = 3;
    const w: GuestWorkload = new GuestWorkload({
      image: img,
      dirtyMiBps: 64,
      locality,
      seed: 7,
      missing,
      onFault: (page) => {
        const asked = performance.now();
        setTimeout(() => {
          missing.delete(page);
          served += performance.now() - asked;
          w.pageArrived(page);
        }, serveMs);
      },
    });
    const startedAt = performance.now();
    w.start();
    await new Promise((r) => setTimeout(r, 300));
    w.pause();
    const pausedAt = performance.now();
    await new Promise((r) => setTimeout(r, 3 * serveMs));
    const pausedMs = performance.now() - pausedAt;
    w.stop();
    // Writes go out every 10 ms, but the guest does not wait for the next tick to fault again once a page is in:
    // with nearly every page missing, it spends nearly all its time waiting for pages.
    expect(served).toBeGreaterThan(0.85 * (pausedAt - startedAt));
    // Nor is a fault charged for the part of the tick before it was seen: what the guest lost is its waits for
    // pages, plus the pause at the end.
    expect(w.lostWorkMs).toBeGreaterThanOrEqual(0.95 * served);
    expect(w.lostWorkMs).toBeLessThan(served + pausedMs + 2);
  });
});
