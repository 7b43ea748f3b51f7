import { describe, expect, it } from "vitest";
import { chooseTechnique } from "./choose-technique";
import type { LinkSpecInput, VmSpec } from "./spec";

const WEB: VmSpec = { memMiB: 4096, workload: { dirtyMiBps: 50, locality: "hotset:0.1" } };
const HOG: VmSpec = { memMiB: 4096, workload: { dirtyMiBps: 400, locality: "uniform" } };
const GBIT: LinkSpecInput = { bandwidthMbps: 1000, rttMs: 0.5 };
const TEN_GBIT: LinkSpecInput = { bandwidthMbps: 10000, rttMs: 0.5 };

describe("chooseTechnique", () => {
  it.each([
    // Pre-copy converges in a couple of rounds and costs least (post-copy loses work to faults).
    { name: "a web server on 10 Gbit/s gets pre-copy", vm: WEB, link: TEN_GBIT, sla: { maxDowntimeMs: 300, maxTotalMs: 60_000 }, want: "pre-copy" },
    // 400 MiB/s against 119 MiB/s: pre-copy never converges; post-copy's 4 ms downtime fits.
    { name: "a memory hog on 1 Gbit/s gets post-copy", vm: HOG, link: GBIT, sla: { maxDowntimeMs: 300, maxTotalMs: 120_000 }, want: "post-copy" },
  ])("$name", ({ vm, link, sla, want }) => {
    const choice = chooseTechnique(vm, link, sla);
    expect(choice.ok).toBe(true);
    expect(choice.technique?.name).toBe(want);
    expect(choice.prediction!.downtimeMs).toBeLessThanOrEqual(sla.maxDowntimeMs);
    expect(choice.prediction!.totalMs).toBeLessThanOrEqual(sla.maxTotalMs);
    expect(choice.reason).toContain(choice.label!);
    expect(choice.reason).toMatch(/lowest cost/);
  });

  it.each([
    { name: "post-copy forbidden", sla: { maxDowntimeMs: 300, maxTotalMs: 120_000, allowPostCopy: false }, says: "post-copy and hybrid were not allowed" },
    { name: "a total time no technique reaches", sla: { maxDowntimeMs: 300, maxTotalMs: 5_000 }, says: "closest: " },
  ])("says when no technique meets the SLA: $name", ({ sla, says }) => {
    const choice = chooseTechnique(HOG, GBIT, sla);
    expect(choice.ok).toBe(false);
    expect(choice.technique).toBeUndefined();
    expect(choice.reason).toMatch(/^no technique meets the SLA/);
    expect(choice.reason).toContain(says);
    expect(choice.candidates.every((c) => c.violations.length > 0)).toBe(true);
  });

  it("tunes pre-copy's downtime limit to the SLA", () => {
    const choice = chooseTechnique(WEB, TEN_GBIT, { maxDowntimeMs: 50, maxTotalMs: 60_000 });
    const pre = choice.candidates.find((c) => c.label === "pre-copy")!;
    expect(pre.technique).toMatchObject({ name: "pre-copy", downtimeLimitMs: 45 });
  });

  it("lists the candidates that meet the SLA cheapest first", () => {
    const { candidates } = chooseTechnique(WEB, TEN_GBIT, { maxDowntimeMs: 300, maxTotalMs: 60_000 });
    const meeting = candidates.filter((c) => c.meetsSla);
    for (let i = 1; i < meeting.length; i++) expect(meeting[i].costMs).toBeGreaterThanOrEqual(meeting[i - 1].costMs);
    expect(candidates.find((c) => c.label === "non-live")?.meetsSla).toBe(false);
  });

  it("rejects an SLA without limits", () => {
    expect(() => chooseTechnique(WEB, GBIT, { maxDowntimeMs: 0, maxTotalMs: 1 })).toThrow(/maxDowntimeMs/);
  });
});
