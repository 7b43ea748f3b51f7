import { describe, expect, it } from "vitest";
import { MigrationError } from "../errors";
import { resolveInput, type MigrationInput, type TechniqueSpec, type VmSpec } from "../spec";
import { mbpsToBytesPerMs } from "../transport/link-model";
import { runMigration, simulate } from "./simulate";

/**
 * Zero pages, multifd channels and huge pages: each one off by default (today's runs, unchanged), and each one
 * doing what QEMU does when it is on. Expected figures are worked out from the wire format (wire-format.ts) and
 * the write model: a Poisson stream of 4 KiB-page writes, each dirtying the page of the VM's size it lands in.
 */
const STATE_BYTES = 512 * 1024;
const LINK_1G = { bandwidthMbps: 1000, rttMs: 0.5 };
const run = (input: MigrationInput) => runMigration(input);
const vm = (memMiB: number, dirtyMiBps: number, extra: Partial<VmSpec> = {}, zeroPageFraction?: number): VmSpec => ({
  memMiB,
  ...extra,
  workload: { dirtyMiBps, locality: "uniform", ...(zeroPageFraction === undefined ? {} : { zeroPageFraction }) },
});

describe("defaults keep today's runs", () => {
  it.each<{ name: string; technique: TechniqueSpec }>([
    { name: "non-live", technique: { name: "non-live" } },
    { name: "pre-copy", technique: { name: "pre-copy" } },
    { name: "post-copy", technique: { name: "post-copy" } },
    { name: "hybrid", technique: { name: "hybrid" } },
  ])("$name: zero-page fraction 0, multifd off and 4 KiB pages spelled out give the same run as the defaults", async ({ technique }) => {
    const base = await run({ vm: vm(64, 40), link: LINK_1G, technique, seed: 3 });
    const explicit = await run({
      vm: vm(64, 40, { pageSizeBytes: 4096 }, 0),
      link: LINK_1G,
      technique: technique.name === "post-copy" ? technique : { ...technique, multifd: false, multifdChannels: 8 },
      seed: 3,
    });
    expect({ ...explicit, options: undefined }).toEqual({ ...base, options: undefined });
  });
});

describe("zero pages", () => {
  it("non-live sends a zero page as a 9-byte header, and about the fraction asked for is zero", async () => {
    // 64 MiB = 16 384 pages; with half of them zero, the drawn count is 8192 +- 4.5 x sqrt(16384 / 4) = 288.
    const r = await run({ vm: vm(64, 0, {}, 0.5), link: LINK_1G, technique: { name: "non-live" }, seed: 1 });
    const pageBytes = r.bytesTransferred - STATE_BYTES;
    const nonZero = (pageBytes - 16_384 * 9) / (4104 - 9);
    expect(Number.isInteger(nonZero)).toBe(true);
    expect(Math.abs(nonZero - 8192)).toBeLessThan(288);
    const full = await run({ vm: vm(64, 0), link: LINK_1G, technique: { name: "non-live" }, seed: 1 });
    // The copy takes the bytes' time: the reservation (100 ms + one RTT) and the last one-way latency are the same.
    expect((r.downtimeMs - 100.75) / (full.downtimeMs - 100.75)).toBeCloseTo((pageBytes + STATE_BYTES) / (16_384 * 4104 + STATE_BYTES), 6);
  });

  it("pre-copy sends zero pages as headers in round 1 only: later rounds carry written, non-zero pages", async () => {
    const r = await run({ vm: vm(256, 40, {}, 0.5), link: LINK_1G, technique: { name: "pre-copy" }, seed: 2 });
    const [first, ...later] = r.timeline.filter((e) => e.phase === "round");
    expect(first.bytesSent).toBeLessThan(0.55 * first.pagesSent * 4104);
    expect(later.length).toBeGreaterThan(0);
    for (const round of later) expect(round.bytesSent).toBe(round.pagesSent * 4104);
  });

  it("with real bytes, zero pages hold zeros, go as headers, and the target ends with the source's memory", async () => {
    const input: MigrationInput = { vm: vm(32, 40, {}, 0.5), link: LINK_1G, technique: { name: "pre-copy" }, content: "bytes", seed: 5 };
    const sim = await simulate(input);
    expect(Buffer.from(sim.targetMemory!).equals(Buffer.from(sim.sourceMemory!))).toBe(true);
    const round1 = sim.result.timeline.find((e) => e.phase === "round" && e.round === 1)!;
    expect(round1.bytesSent).toBeLessThan(0.55 * 8192 * 4104);
    let zeroPagesLeft = 0;
    for (let p = 0; p < 8192; p++) if (sim.sourceMemory!.subarray(p * 4096, (p + 1) * 4096).every((b) => b === 0)) zeroPagesLeft++;
    expect(zeroPagesLeft).toBeGreaterThan(0.3 * 8192);
  });

  it("post-copy still sends every page exactly once, zero pages as headers", async () => {
    const input: MigrationInput = { vm: vm(64, 40, {}, 0.3), link: LINK_1G, technique: { name: "post-copy" }, seed: 4 };
    const sim = await simulate(input, { countSends: true });
    expect(sim.transport.sendCounts!.every((c) => c === 1)).toBe(true);
    const full = await run({ ...input, vm: vm(64, 40) });
    expect(sim.result.bytesTransferred).toBeLessThan(0.75 * full.bytesTransferred);
  });
});

describe("multifd channels", () => {
  it("spreads the pages over its channels: with a per-stream limit, 4 channels copy 4 times as fast", async () => {
    // 10 Gbit/s link, 2 Gbit/s per stream: the main stream moves 250 000 B/ms, four channels 1 000 000 B/ms.
    const link = { bandwidthMbps: 10_000, rttMs: 0.5, streamMbps: 2000 };
    const one = await run({ vm: vm(256, 0), link, technique: { name: "non-live" }, seed: 1 });
    const four = await run({ vm: vm(256, 0), link, technique: { name: "non-live", multifd: true, multifdChannels: 4 }, seed: 1 });
    const pages = 65_536;
    const fixedMs = 100 + 0.5 + STATE_BYTES / mbpsToBytesPerMs(2000) + 0.25;
    expect(one.downtimeMs - fixedMs).toBeCloseTo((pages * 4104) / mbpsToBytesPerMs(2000), 6);
    // Handshakes, 512 packet headers (128 pages each), the pages with their offsets, one SYNC packet per channel.
    const multifdBytes = 4 * 64 + pages * 4104 + (pages / 128) * 320 + 4 * 320;
    expect(four.downtimeMs - fixedMs).toBeCloseTo(multifdBytes / mbpsToBytesPerMs(8000), 6);
    expect(four.bytesTransferred).toBe(multifdBytes + STATE_BYTES);
  });

  it("without a per-stream limit the channels share the link, and only add their overhead", async () => {
    const one = await run({ vm: vm(256, 0), link: LINK_1G, technique: { name: "non-live" }, seed: 1 });
    const four = await run({ vm: vm(256, 0), link: LINK_1G, technique: { name: "non-live", multifd: true, multifdChannels: 4 }, seed: 1 });
    const overhead = 4 * 64 + 512 * 320 + 4 * 320;
    expect(four.bytesTransferred - one.bytesTransferred).toBe(overhead);
    expect(four.downtimeMs - one.downtimeMs).toBeCloseTo(overhead / mbpsToBytesPerMs(1000), 6);
  });

  it("pre-copy with multifd ends every round with a SYNC packet per channel", async () => {
    const r = await run({ vm: vm(256, 100), link: LINK_1G, technique: { name: "pre-copy", multifd: true, multifdChannels: 3 }, seed: 1 });
    const rounds = r.timeline.filter((e) => e.phase === "round");
    expect(rounds.length).toBeGreaterThan(1);
    for (const round of rounds.slice(1)) {
      // Round 2 on: written pages only, with their offsets, 3 SYNC headers, and a packet header per 128 pages of
      // each batch (a batch of about 16 384 pages may end in a part-filled packet).
      const headers = (round.bytesSent - round.pagesSent * 4104 - 3 * 320) / 320;
      expect(Number.isInteger(headers)).toBe(true);
      expect(headers).toBeGreaterThanOrEqual(Math.ceil(round.pagesSent / 128));
      expect(headers).toBeLessThanOrEqual(Math.ceil(round.pagesSent / 128) + Math.ceil(round.pagesSent / 16_384));
    }
  });
});

describe("huge pages", () => {
  it("one 4 KiB write dirties a whole 2 MiB page: a light writer dirties most of a huge-page VM in one round", async () => {
    // 1 GiB: 262 144 small pages or 512 huge ones. 10 MiB/s = 2.56 writes/ms. After round 1 (exposure E, at 95%
    // speed while tracked) each of N pages is dirty with probability 1 - exp(-2.56 E / N), independently.
    const small = await run({ vm: vm(1024, 10), link: { bandwidthMbps: 10_000, rttMs: 0.5 }, technique: { name: "pre-copy" }, seed: 1 });
    const huge = await run({ vm: vm(1024, 10, { pageSizeBytes: 2 << 20 }), link: { bandwidthMbps: 10_000, rttMs: 0.5 }, technique: { name: "pre-copy" }, seed: 1 });
    for (const [r, pages] of [
      [small, 262_144],
      [huge, 512],
    ] as const) {
      const round1 = r.timeline.find((e) => e.phase === "round" && e.round === 1)!;
      const writes = 2.56 * 0.95 * (round1.endMs - round1.startMs);
      const p = -Math.expm1(-writes / pages);
      expect(Math.abs(round1.dirtyPages! - pages * p)).toBeLessThan(4.5 * Math.sqrt(pages * p * (1 - p)) + 1);
    }
    const dirtyBytes = (r: typeof small, pageBytes: number) => r.timeline[1].dirtyPages! * pageBytes;
    expect(dirtyBytes(huge, 2 << 20)).toBeGreaterThan(50 * dirtyBytes(small, 4096));
  });

  it("post-copy moves whole huge pages, each exactly once", async () => {
    const sim = await simulate(
      { vm: vm(256, 40, { pageSizeBytes: 2 << 20 }), link: LINK_1G, technique: { name: "post-copy" }, seed: 1 },
      { countSends: true },
    );
    expect(sim.result.memoryPages).toBe(128);
    expect(sim.transport.sendCounts!.every((c) => c === 1)).toBe(true);
    expect(sim.result.bytesTransferred).toBe(128 * ((2 << 20) + 8) + STATE_BYTES + sim.result.networkFaults * 16);
  });
});

describe("validation", () => {
  it.each<{ name: string; input: MigrationInput; field: string }>([
    { name: "delta with multifd (QEMU refuses the pair)", input: { vm: vm(64, 10), link: LINK_1G, technique: { name: "pre-copy", delta: true, multifd: true }, seed: 1 }, field: "technique.multifd" },
    { name: "delta with 2 MiB pages", input: { vm: vm(64, 10, { pageSizeBytes: 2 << 20 }), link: LINK_1G, technique: { name: "hybrid", delta: true }, seed: 1 }, field: "technique.delta" },
    { name: "pages below 4 KiB", input: { vm: vm(64, 10, { pageSizeBytes: 2048 }), link: LINK_1G, technique: { name: "pre-copy" }, seed: 1 }, field: "vm.pageSizeBytes" },
    { name: "memory not a whole number of huge pages", input: { vm: vm(65, 10, { pageSizeBytes: 2 << 20 }), link: LINK_1G, technique: { name: "pre-copy" }, seed: 1 }, field: "vm.memMiB" },
    { name: "a zero-page fraction above 1", input: { vm: vm(64, 10, {}, 1.5), link: LINK_1G, technique: { name: "pre-copy" }, seed: 1 }, field: "vm.workload.zeroPageFraction" },
    { name: "multifd on post-copy", input: { vm: vm(64, 10), link: LINK_1G, technique: { name: "post-copy", multifd: true } as TechniqueSpec, seed: 1 }, field: "technique" },
    { name: "a stream limit of 0", input: { vm: vm(64, 10), link: { ...LINK_1G, streamMbps: 0 }, technique: { name: "pre-copy" }, seed: 1 }, field: "link.streamMbps" },
  ])("$name is refused, naming $field", ({ input, field }) => {
    let error: unknown;
    try {
      resolveInput(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).problems.map((p) => p.field)).toContain(field);
  });
});
