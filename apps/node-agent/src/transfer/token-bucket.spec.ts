import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket";

/** A bucket on a fake clock: sleeping advances it. */
function fakeBucket(bytesPerSec: number | null, burstBytes: number) {
  let now = 0;
  const bucket = new TokenBucket({
    bytesPerSec,
    burstBytes,
    now: () => now,
    sleep: async (ms) => void (now += ms),
  });
  return { bucket, now: () => now, advance: (ms: number) => (now += ms) };
}

describe("TokenBucket", () => {
  it.each([
    { name: "no cap: never waits", rate: null, sends: [1e9, 1e9], elapsedMs: 0 },
    { name: "within the burst: no wait", rate: 1000, sends: [400, 600], elapsedMs: 0 },
    // 1000 B burst, then 10 x 1000 B at 1000 B/s: the debt of each send is paid before the next.
    { name: "a long run keeps to the rate", rate: 1000, sends: Array(11).fill(1000), elapsedMs: 10_000 },
    { name: "one send larger than the bucket goes into debt", rate: 1000, sends: [5000, 1], elapsedMs: 4001 },
  ])("$name", async ({ rate, sends, elapsedMs }) => {
    const f = fakeBucket(rate, 1000);
    for (const n of sends) await f.bucket.take(n);
    expect(f.now()).toBeCloseTo(elapsedMs, 6);
  });

  it("idle time refills up to the burst, not beyond", async () => {
    const f = fakeBucket(1000, 1000);
    await f.bucket.take(1000);
    f.advance(60_000);
    await f.bucket.take(1000);
    expect(f.now()).toBe(60_000);
    await f.bucket.take(1000);
    expect(f.now()).toBe(61_000);
  });

  it("a new rate applies from the next send", async () => {
    const f = fakeBucket(1000, 0);
    await f.bucket.take(1000);
    f.bucket.setRate(500);
    await f.bucket.take(0);
    expect(f.now()).toBe(2000);
  });

  it("Mbit/s are bits: 8 Mbit/s is 1e6 bytes a second", () => {
    expect(TokenBucket.mbps(8).bytesPerSec).toBe(1e6);
    expect(TokenBucket.mbps(null).bytesPerSec).toBeNull();
  });
});
