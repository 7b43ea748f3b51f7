import { describe, expect, it } from "vitest";
import { LINKS, scenario, VMS } from "../fixtures/scenarios";
import type { MigrationInput, TechniqueSpec } from "../spec";
import type { ProgressEvent } from "../techniques/technique";
import { LinkModel } from "../transport/link-model";
import { createPacedClock } from "./clock";
import { runMigration, simulate } from "./simulate";

const PRE_COPY_VARIANTS: { name: string; technique: TechniqueSpec }[] = [
  { name: "pre-copy", technique: { name: "pre-copy" } },
  { name: "pre-copy + delta", technique: { name: "pre-copy", delta: true } },
  { name: "pre-copy + hot bitmap", technique: { name: "pre-copy", hotBitmap: true } },
  { name: "pre-copy + auto-converge", technique: { name: "pre-copy", autoConverge: true } },
  { name: "pre-copy + all three", technique: { name: "pre-copy", delta: true, hotBitmap: true, autoConverge: true } },
];
const POST_COPY_VARIANTS: { name: string; technique: TechniqueSpec }[] = [
  { name: "post-copy, no pre-paging", technique: { name: "post-copy", prepaging: "none" } },
  { name: "post-copy, bubble", technique: { name: "post-copy", prepaging: "bubble" } },
  { name: "post-copy, multi-pivot", technique: { name: "post-copy", prepaging: "multi-pivot" } },
];
const ALL_VARIANTS = [
  { name: "non-live", technique: { name: "non-live" } as TechniqueSpec },
  ...PRE_COPY_VARIANTS,
  ...POST_COPY_VARIANTS,
  { name: "hybrid", technique: { name: "hybrid" } as TechniqueSpec },
  { name: "hybrid + delta, multi-pivot", technique: { name: "hybrid", delta: true, prepaging: "multi-pivot" } as TechniqueSpec },
];

describe("invariants", () => {
  it.each(
    POST_COPY_VARIANTS.flatMap((v) => [
      { ...v, vm: "web256" as const },
      { ...v, vm: "db256" as const },
    ]),
  )("$name on $vm sends every page exactly once", async ({ technique, vm }) => {
    const sim = await simulate(scenario(vm, "lan1g", technique), { countSends: true });
    const counts = sim.transport.sendCounts!;
    expect(counts.every((c) => c === 1)).toBe(true);
    expect(sim.result.pagesTransferred).toBe(sim.result.memoryPages);
    expect(sim.result.networkFaults).toBeGreaterThan(0);
    expect(sim.result.rounds).toBe(0);
  });

  it.each([
    { vm: "idle64" as const, link: "lan1g" as const },
    { vm: "hog256" as const, link: "lan10g" as const },
    { vm: "web256" as const, link: "wan100m" as const },
  ])("non-live on $vm over $link: downtime equals total time", async ({ vm, link }) => {
    const r = await runMigration(scenario(vm, link, { name: "non-live" }));
    expect(r.downtimeMs).toBe(r.totalMs);
    expect(r.preparationMs).toBe(0);
    expect(r.resumeMs).toBe(0);
    expect(r.degradation).toBe(1);
    expect(r.pagesTransferred).toBe(r.memoryPages);
  });

  it.each(
    PRE_COPY_VARIANTS.flatMap((v) => [
      { ...v, vm: "idle64" as const, link: "lan1g" as const },
      { ...v, vm: "web256" as const, link: "lan1g" as const },
      { ...v, vm: "hog256" as const, link: "lan1g" as const },
      { ...v, vm: "db256" as const, link: "wan100m" as const },
    ]),
  )("$name on $vm over $link never sends less than memory", async ({ technique, vm, link }) => {
    const r = await runMigration(scenario(vm, link, technique));
    expect(r.pagesTransferred).toBeGreaterThanOrEqual(r.memoryPages);
    expect(r.bytesTransferred).toBeGreaterThanOrEqual(VMS[vm].memMiB * 1048576);
    expect(r.resumeMs).toBe(0);
    expect(r.rounds).toBeGreaterThanOrEqual(1);
  });

  it.each(ALL_VARIANTS)("$name: the same seed gives the same result", async ({ technique }) => {
    const a = await runMigration(scenario("db256", "lan1g", technique, 11));
    const b = await runMigration(scenario("db256", "lan1g", technique, 11));
    expect(b).toEqual(a);
  });

  it.each(ALL_VARIANTS.filter((v) => v.name !== "non-live"))("$name: another seed gives another run", async ({ technique }) => {
    const a = await runMigration(scenario("db256", "lan1g", technique, 11));
    const b = await runMigration(scenario("db256", "lan1g", technique, 12));
    expect(b).not.toEqual(a);
  });

  it.each(ALL_VARIANTS)("$name: the six metrics add up", async ({ technique }) => {
    const r = await runMigration(scenario("web256", "lan1g", technique));
    expect(r.preparationMs + r.downtimeMs + r.resumeMs).toBeCloseTo(r.totalMs, 6);
    expect(r.degradation).toBeGreaterThanOrEqual(0);
    expect(r.degradation).toBeLessThanOrEqual(1);
    expect(r.lostWorkMs).toBeCloseTo(r.degradation * r.totalMs, 6);
    expect(r.lostWorkMs).toBeGreaterThanOrEqual(r.downtimeMs - 1e-6);
  });
});

describe("stop conditions, end to end", () => {
  it.each([
    // 256 MiB at 10 Gbit/s with 40 MiB/s of hot-set writes: round 2 is tiny.
    { name: "downtime-limit", input: scenario("web256", "lan10g", { name: "pre-copy" }) },
    // Over 100 Mbit/s a 300 MiB/s uniform writer redirties all memory every round.
    { name: "no-convergence", input: scenario("hog256", "wan100m", { name: "pre-copy" }) },
    { name: "byte-cap", input: scenario("hog256", "lan1g", { name: "pre-copy", byteCapFactor: 1.5, noConvergenceRounds: 50 }) },
    { name: "max-rounds", input: scenario("hog256", "lan1g", { name: "pre-copy", maxRounds: 2, noConvergenceRounds: 50 }) },
  ])("$name fires", async ({ name, input }) => {
    const r = await runMigration(input);
    expect(r.stopReason).toBe(name);
    const rounds = r.timeline.filter((e) => e.phase === "round");
    expect(rounds.length).toBe(r.rounds);
  });

  it("a non-converging pre-copy pays in downtime, far above the limit", async () => {
    const r = await runMigration(scenario("hog256", "wan100m", { name: "pre-copy" }));
    expect(r.downtimeMs).toBeGreaterThan(10_000);
  });

  it("auto-converge throttles a guest that out-dirties the link until it converges", async () => {
    const plain = await runMigration(scenario("hog256", "lan1g", { name: "pre-copy", maxRounds: 60 }));
    const ac = await runMigration(scenario("hog256", "lan1g", { name: "pre-copy", autoConverge: true, maxRounds: 200 }));
    expect(plain.stopReason).not.toBe("downtime-limit");
    expect(ac.stopReason).toBe("downtime-limit");
    expect(ac.downtimeMs).toBeLessThan(300);
    expect(Math.max(...ac.timeline.map((e) => e.throttlePct ?? 0))).toBeGreaterThanOrEqual(20);
    expect(ac.degradation).toBeGreaterThan(plain.degradation * 0.2);
  });

  it("the hot-page bitmap holds back pages until the stop-and-copy", async () => {
    const r = await runMigration(scenario("web256", "lan1g", { name: "pre-copy", hotBitmap: true, downtimeLimitMs: 20 }));
    const held = r.timeline.filter((e) => e.phase === "round").map((e) => e.heldPages ?? 0);
    expect(Math.max(...held)).toBeGreaterThan(0);
  });
});

describe("byte content", () => {
  it.each(ALL_VARIANTS)("$name leaves the target with exactly the source's memory", async ({ technique }) => {
    const input: MigrationInput = {
      ...scenario("small32", "lan1g", technique, 5),
      technique: technique.name === "pre-copy" ? { ...technique, downtimeLimitMs: 5 } : technique,
      content: "bytes",
    };
    const sim = await simulate(input);
    expect(Buffer.compare(Buffer.from(sim.sourceMemory!), Buffer.from(sim.targetMemory!))).toBe(0);
  });

  it("delta compression sends real XBZRLE deltas and fewer bytes", async () => {
    const base = scenario("small32", "lan1g", { name: "pre-copy", downtimeLimitMs: 5 }, 5);
    const plain = await simulate({ ...base, content: "bytes" });
    const delta = await simulate({ ...base, technique: { name: "pre-copy", delta: true, downtimeLimitMs: 5 }, content: "bytes" });
    expect(delta.result.deltaPages).toBeGreaterThan(0);
    expect(delta.result.bytesTransferred).toBeLessThan(plain.result.bytesTransferred);
  });

  it("the modelled content gives about the same delta traffic as real bytes", async () => {
    const input = scenario("small32", "lan1g", { name: "pre-copy", delta: true, downtimeLimitMs: 5 }, 9);
    const bytes = await runMigration({ ...input, content: "bytes" });
    const modelled = await runMigration(input);
    expect(modelled.bytesTransferred / bytes.bytesTransferred).toBeGreaterThan(0.9);
    expect(modelled.bytesTransferred / bytes.bytesTransferred).toBeLessThan(1.1);
    expect(modelled.deltaPages / bytes.deltaPages).toBeGreaterThan(0.8);
    expect(modelled.deltaPages / bytes.deltaPages).toBeLessThan(1.25);
  });
});

describe("running a migration for an agent", () => {
  it("reports monotone progress that ends at 1", async () => {
    const events: ProgressEvent[] = [];
    await runMigration(scenario("hog256", "lan1g", { name: "hybrid" }), { onProgress: (e) => events.push(e) });
    expect(events.length).toBeGreaterThan(5);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].progress).toBeGreaterThanOrEqual(events[i - 1].progress);
      expect(events[i].simTimeMs).toBeGreaterThanOrEqual(events[i - 1].simTimeMs);
    }
    expect(events.at(-1)).toMatchObject({ progress: 1, pagesRemaining: 0, etaMs: 0 });
    expect(new Set(events.map((e) => e.phase))).toEqual(new Set(["round", "post-copy"]));
  });

  it.each([
    { name: "pre-copy", technique: { name: "pre-copy", maxRounds: 50, noConvergenceRounds: 50, byteCapFactor: 50 } as TechniqueSpec },
    { name: "hybrid", technique: { name: "hybrid" } as TechniqueSpec },
    { name: "non-live", technique: { name: "non-live", batchPages: 1024 } as TechniqueSpec },
  ])("$name: cancelling before the switchover leaves the guest on its source", async ({ technique }) => {
    const controller = new AbortController();
    const r = await runMigration(scenario("hog256", "lan1g", technique), {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.simTimeMs > 1000) controller.abort();
      },
    });
    expect(r.outcome).toBe("cancelled");
    expect(r.stopReason).toBeUndefined();
    if (technique.name !== "non-live") expect(r.downtimeMs).toBe(0);
  });

  it("cancelling post-copy after the switchover is too late: it completes", async () => {
    const controller = new AbortController();
    const r = await runMigration(scenario("web256", "lan1g", { name: "post-copy" }), {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(r.outcome).toBe("completed");
  });

  it("a smaller bandwidth share, set during the run, slows the migration", async () => {
    const input = scenario("idle64", "lan1g", { name: "non-live", batchPages: 256 });
    const full = await runMigration(input);
    const link = new LinkModel(LINKS.lan1g);
    const halved = await runMigration(input, {
      link,
      onProgress: (e) => {
        if (e.simTimeMs > 200) link.setShare(0.5, e.simTimeMs);
      },
    });
    expect(halved.totalMs).toBeGreaterThan(full.totalMs * 1.3);
  });

  it("paced to a (fake) wall clock, a run gives the same result and waits about totalMs / speedup", async () => {
    const input = scenario("web256", "lan1g", { name: "pre-copy" });
    const instant = await runMigration(input);
    let wall = 0;
    const paced = await runMigration(input, {
      clock: createPacedClock({
        speedup: 4,
        wallNow: () => wall,
        sleep: async (ms) => {
          wall += ms;
        },
      }),
    });
    expect(paced).toEqual(instant);
    expect(wall).toBeGreaterThan(instant.totalMs / 4 - 10);
    expect(wall).toBeLessThanOrEqual(instant.totalMs / 4 + 1);
  });

  it("rejects bad input with every problem named", async () => {
    await expect(
      runMigration({ vm: { memMiB: -1, workload: { dirtyMiBps: 5 } }, link: { bandwidthMbps: 0, rttMs: 1 }, technique: { name: "pre-copy" }, seed: 1 }),
    ).rejects.toMatchObject({
      code: "InvalidInput",
      problems: [
        { field: "vm.memMiB", reason: expect.any(String) },
        { field: "link.bandwidthMbps", reason: expect.any(String) },
      ],
    });
  });
});
