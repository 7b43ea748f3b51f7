import { chooseTechnique } from "@ferry/migration";
import { describe, expect, it } from "vitest";
import { PoliciesError } from "../model/errors";
import { ferryMigrationPredictor } from "./ferry-migration";

const GBIT = { bandwidthMbps: 1000 };

/**
 * An idle VM sends its memory once: pages of 4096 B plus an 8-byte header, then 512 KiB of device state, over
 * its share of the link (B bytes per ms); reserving the target costs 100 ms and one RTT (0.5 ms), the
 * switchover half an RTT. CloudSim's RAM / (BW / 2) is lower because it counts a MiB as 8 Mbit, without headers.
 */
const idleMs = (memMiB: number, bytesPerMs: number) => (memMiB * 256 * 4104 + 512 * 1024) / bytesPerMs + 100 + 0.5 + 0.25;

describe("ferryMigrationPredictor: @ferry/migration's predictor behind MigrationCostModel", () => {
  const model = ferryMigrationPredictor();

  it.each([
    // 1740 MiB: 1 828 085 760 B / 62 500 B/ms (half of 1 Gbit/s) = 29 249.4 ms, + 8.4 + 100.75 = 29 358.6 ms (CloudSim: 27 840)
    { name: "1740 MiB", memMiB: 1740, wantMs: idleMs(1740, 62_500) },
    { name: "870 MiB", memMiB: 870, wantMs: idleMs(870, 62_500) },
    { name: "613 MiB", memMiB: 613, wantMs: idleMs(613, 62_500) },
  ])("an idle $name VM: its memory once over half the link, plus reservation and state", ({ memMiB, wantMs }) => {
    expect(model.migrationTimeMs({ memMiB, utilization: 0 }, GBIT)).toBeCloseTo(wantMs, 1);
  });

  it("gives the whole link when migrationShare is 1", () => {
    const full = ferryMigrationPredictor({ migrationShare: 1 });
    expect(full.migrationTimeMs({ memMiB: 1740, utilization: 0 }, GBIT)).toBeCloseTo(idleMs(1740, 125_000), 1);
  });

  it("takes longer the busier the VM (page-write rate = 25 MiB/s x utilisation)", () => {
    const times = [0, 0.25, 0.5, 1].map((utilization) => model.migrationTimeMs({ memMiB: 870, utilization }, GBIT));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(times[3]! / times[0]!).toBeGreaterThan(1.2);
  });

  it("maps a VM onto the controller's choice: chooseTechnique with the default SLA and no post-copy", () => {
    // 613 MiB at 60 % CPU: 15 MiB/s of page writes, 500 Mbit/s, RTT 0.5 ms, SLA 300 ms / 150 s per GiB
    const direct = chooseTechnique(
      { memMiB: 613, workload: { dirtyMiBps: 15, locality: "uniform" } },
      { bandwidthMbps: 500, rttMs: 0.5 },
      { maxDowntimeMs: 300, maxTotalMs: (150_000 * 613) / 1024, allowPostCopy: false },
    );
    expect(direct.ok).toBe(true);
    expect(model.migrationTimeMs({ memMiB: 613, utilization: 0.6 }, GBIT)).toBe(direct.prediction!.totalMs);
  });

  it("uses a measured page-write rate instead of the CPU-derived one", () => {
    const measured = model.migrationTimeMs({ memMiB: 870, utilization: 0, dirtyRateMiBps: 25 }, GBIT);
    expect(measured).toBe(model.migrationTimeMs({ memMiB: 870, utilization: 1 }, GBIT));
  });

  it("still answers when writes outrun the link: the candidate closest to the SLA, never post-copy", () => {
    // 200 MiB/s against 59.6 MiB/s of payload: pre-copy cannot converge, nothing meets 300 ms
    const ms = model.migrationTimeMs({ memMiB: 1740, utilization: 0, dirtyRateMiBps: 200 }, GBIT);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(idleMs(1740, 62_500));
  });

  it.each([
    { name: "share 0", options: { migrationShare: 0 }, vm: { memMiB: 870, utilization: 0 }, code: "InvalidParameter" },
    { name: "negative write rate", options: { dirtyMiBpsAtFullLoad: -1 }, vm: { memMiB: 870, utilization: 0 }, code: "InvalidParameter" },
    { name: "a VM without memory", options: {}, vm: { memMiB: 0, utilization: 0.5 }, code: "InvalidSnapshot" },
  ])("rejects $name with a PoliciesError", ({ options, vm, code }) => {
    const attempt = () => ferryMigrationPredictor(options).migrationTimeMs(vm, GBIT);
    expect(attempt).toThrow(PoliciesError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
  });
});
