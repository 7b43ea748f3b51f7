import { describe, expect, it } from "vitest";
import { runMigration } from "../simulator/simulate";
import type { TechniqueSpec, VmSpec } from "../spec";
import { predict } from "./predict";

/**
 * The predictor against the simulator on a small grid (256 MiB VMs, so the whole grid runs in a few seconds).
 * Tolerances are looser than the errors the bench measures on larger grids, because a 256 MiB VM has fewer
 * pages to average over: pre-copy within 10% on total time and pages, post-copy within 25% on degradation.
 */
const VMS: { name: string; vm: VmSpec }[] = [
  { name: "uniform 40 MiB/s", vm: { memoryMiB: 256, workload: { dirtyMiBps: 40, locality: "uniform" } } },
  { name: "hot set 80 MiB/s", vm: { memoryMiB: 256, workload: { dirtyMiBps: 80, locality: "hotset:0.1" } } },
  { name: "zipf 80 MiB/s", vm: { memoryMiB: 256, workload: { dirtyMiBps: 80, locality: "zipf:0.99" } } },
];
const LINKS = [
  { name: "1 Gbit/s", link: { bandwidthMbps: 1000, rttMs: 0.5 } },
  { name: "10 Gbit/s", link: { bandwidthMbps: 10000, rttMs: 0.2 } },
];
const TECHNIQUES: { name: string; technique: TechniqueSpec; tolerance: { total: number; pages: number; degradation: number } }[] = [
  { name: "non-live", technique: { name: "non-live" }, tolerance: { total: 0.001, pages: 0, degradation: 0 } },
  { name: "pre-copy", technique: { name: "pre-copy", downtimeLimitMs: 30 }, tolerance: { total: 0.1, pages: 0.1, degradation: 0.1 } },
  { name: "pre-copy + delta", technique: { name: "pre-copy", delta: true, downtimeLimitMs: 30 }, tolerance: { total: 0.1, pages: 0.1, degradation: 0.1 } },
  { name: "post-copy", technique: { name: "post-copy", prepaging: "none" }, tolerance: { total: 0.05, pages: 0, degradation: 0.25 } },
  { name: "post-copy, bubble", technique: { name: "post-copy" }, tolerance: { total: 0.05, pages: 0, degradation: 0.25 } },
  { name: "hybrid", technique: { name: "hybrid" }, tolerance: { total: 0.1, pages: 0.1, degradation: 0.25 } },
];

const grid = VMS.flatMap((v) => LINKS.flatMap((l) => TECHNIQUES.map((t) => ({ ...v, ...l, ...t, label: `${t.name}, ${v.name}, ${l.name}` }))));

describe("predictor against the simulator", () => {
  it.each(grid)("$label", async ({ vm, link, technique, tolerance }) => {
    const sim = await runMigration({ vm, link, technique, seed: 1 });
    const p = predict({ vm, link, technique });
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(b, 1e-9);
    expect(rel(p.totalMs, sim.totalMs)).toBeLessThanOrEqual(tolerance.total);
    expect(rel(p.pagesTransferred, sim.pagesTransferred)).toBeLessThanOrEqual(tolerance.pages + 1e-9);
    expect(Math.abs(p.degradation - sim.degradation)).toBeLessThanOrEqual(tolerance.degradation);
  });
});

describe("predictor, closed forms", () => {
  it("non-live is reservation + a round trip + memory and state over the link + one-way latency", () => {
    // 64 MiB = 16384 pages x 4104 B + 512 KiB of state = 67 764 224 B over 125 000 B/ms = 542.11 ms.
    const p = predict({ vm: { memoryMiB: 64, workload: { dirtyMiBps: 10 } }, link: { bandwidthMbps: 1000, rttMs: 2 }, technique: { name: "non-live" } });
    expect(p.downtimeMs).toBeCloseTo(100 + 2 + 67_764_224 / 125_000 + 1, 6);
    expect(p.totalMs).toBe(p.downtimeMs);
    expect(p.degradation).toBe(1);
  });

  it("pre-copy of a lightly written uniform VM is the geometric series of rounds", () => {
    // 16 GiB = 4 194 304 pages; 10 MiB/s = 2.56 pages/ms against 125 000 / 4104 = 30.46 pages/ms: rho = 0.084.
    // While w E << pages the rounds shrink by rho, so pages sent = N / (1 - rho) and the rounds end when
    // N rho^r <= 297 pages (what 10 ms of downtime carries): r = ln(297 / N) / ln(rho) = 3.9.
    const p = predict({
      vm: { memoryMiB: 16384, deviceStateKiB: 0, workload: { dirtyMiBps: 10, contention: 0 } },
      link: { bandwidthMbps: 1000, rttMs: 0.5 },
      technique: { name: "pre-copy", downtimeLimitMs: 10 },
    });
    const pages = 4_194_304;
    const rho = 2.56 / (125_000 / 4104);
    expect(p.stopReason).toBe("downtime-limit");
    expect(p.rounds).toBeGreaterThanOrEqual(3);
    expect(p.rounds).toBeLessThanOrEqual(5);
    expect(p.pagesTransferred / pages / (1 / (1 - rho))).toBeCloseTo(1, 2);
  });

  it("post-copy transfers each page once and stalls more as the guest touches more", () => {
    const at = (dirtyMiBps: number) =>
      predict({ vm: { memoryMiB: 1024, workload: { dirtyMiBps } }, link: { bandwidthMbps: 1000, rttMs: 0.5 }, technique: { name: "post-copy" } });
    expect(at(10).pagesTransferred).toBe(262_144);
    expect(at(100).degradation).toBeGreaterThan(at(10).degradation);
    expect(at(0).networkFaults).toBe(0);
  });
});
