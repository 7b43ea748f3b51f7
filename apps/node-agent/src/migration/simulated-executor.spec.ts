import type { ClaimedMigration, ProgressReport, Technique } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { MigrationAborted } from "./executor";
import { SimulatedExecutor, migrationSeed } from "./simulated-executor";

const migration = (technique: Technique, techniqueOptions: Record<string, unknown> = {}, bandwidthMbps: number | null = null): ClaimedMigration => ({
  id: "00000000-0000-4000-8000-000000000001",
  technique,
  techniqueOptions,
  vm: { id: "00000000-0000-4000-8000-000000000002", name: "vm", cpu: 2, memMiB: 256, dirtyRateMiBps: 40, postCopyRecovery: true },
  sourceNodeId: "00000000-0000-4000-8000-000000000003",
  target: { id: "00000000-0000-4000-8000-000000000004", name: "t", dataAddress: null },
  transferSecret: "secret",
  sla: { maxDowntimeMs: null, maxTotalMs: null },
  bandwidthMbps,
});

const executor = new SimulatedExecutor({ bandwidthMbps: 1000, rttMs: 0.5, timeScale: 0, seed: 7 });

function hooks(atCommit?: (abort: AbortController) => void) {
  const abort = new AbortController();
  const reports: ProgressReport[] = [];
  let commits = 0;
  return {
    reports,
    commits: () => commits,
    hooks: {
      signal: abort.signal,
      progress: async (r: ProgressReport) => void reports.push(r),
      beforeSwitchover: async () => {
        commits++;
        atCommit?.(abort);
      },
      onShare: () => undefined,
    },
  };
}

describe("SimulatedExecutor", () => {
  it.each<{ technique: Technique; options?: Record<string, unknown> }>([
    { technique: "non-live" },
    { technique: "pre-copy" },
    { technique: "pre-copy", options: { delta: true, autoConverge: true } },
    { technique: "post-copy", options: { prepaging: "multi-pivot" } },
    { technique: "hybrid" },
  ])("$technique $options: completes with the six metrics, progress and one commit point", async ({ technique, options }) => {
    const h = hooks();
    const { metrics, bytesTransferred } = await executor.run(migration(technique, options), h.hooks);
    expect(metrics.pagesTransferred).toBeGreaterThanOrEqual((256 * 1024) / 4);
    expect(bytesTransferred).toBeGreaterThanOrEqual(256 * 1024 * 1024);
    expect(metrics.downtimeMs).toBeLessThanOrEqual(metrics.totalMs);
    expect(h.commits()).toBe(1);
    expect(h.reports.length).toBeGreaterThan(0);
    expect(h.reports.every((r, i) => i === 0 || r.progress >= h.reports[i - 1]!.progress)).toBe(true);
    if (technique === "non-live") expect(metrics.downtimeMs).toBeCloseTo(metrics.totalMs - metrics.preparationMs, 0);
  });

  it("is deterministic for one migration id", async () => {
    const a = await executor.run(migration("pre-copy"), hooks().hooks);
    const b = await executor.run(migration("pre-copy"), hooks().hooks);
    expect(a).toEqual(b);
    expect(migrationSeed(7, "a")).not.toBe(migrationSeed(7, "b"));
  });

  it.each([
    { name: "a share below the link is the rate", share: 250, rate: 250 },
    { name: "a share above the node's own link is capped by it", share: 4000, rate: 1000 },
    { name: "no share runs at the link", share: null, rate: 1000 },
  ])("$name", async ({ share, rate }) => {
    const { metrics } = await executor.run(migration("non-live", {}, share), hooks().hooks);
    const atRate = await new SimulatedExecutor({ bandwidthMbps: rate, rttMs: 0.5, timeScale: 0, seed: 7 }).run(migration("non-live"), hooks().hooks);
    expect(metrics.totalMs).toBe(atRate.metrics.totalMs);
  });

  it("a share heard during the run changes the rate from then on", async () => {
    let listener: ((mbps: number) => void) | undefined;
    let heard = false;
    const h = hooks().hooks;
    const run = (share: number, later?: number) =>
      executor.run(migration("non-live", {}, share), {
        ...h,
        progress: async () => {
          if (later === undefined || heard) return;
          heard = true;
          listener!(later);
        },
        onShare: (l) => (listener = l),
      });
    const full = await run(1000);
    const quarter = await run(250);
    const lowered = await run(1000, 250);
    expect(heard).toBe(true);
    expect(lowered.metrics.totalMs).toBeGreaterThan(full.metrics.totalMs * 1.5);
    expect(lowered.metrics.totalMs).toBeLessThan(quarter.metrics.totalMs);
  });

  it("a cancel at the commit point leaves the VM on its source", async () => {
    const h = hooks((abort) => abort.abort("cancelled by the controller"));
    await expect(executor.run(migration("pre-copy"), h.hooks)).rejects.toBeInstanceOf(MigrationAborted);
  });

  it("options the technique does not take are refused by the library", async () => {
    await expect(executor.run(migration("post-copy", { delta: true }), hooks().hooks)).rejects.toThrow(/delta/);
  });
});
