import type { ClaimedMigration, ProgressReport, Technique } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { MigrationAborted } from "./executor";
import { TimingModelExecutor } from "./timing-model-executor";

const migration = (technique: Technique, memMiB = 4096, dirtyRateMiBps = 100): ClaimedMigration => ({
  id: "00000000-0000-4000-8000-000000000001",
  technique,
  vm: { id: "00000000-0000-4000-8000-000000000002", name: "vm", cpu: 2, memMiB, dirtyRateMiBps },
  sourceNodeId: "00000000-0000-4000-8000-000000000003",
  target: { id: "00000000-0000-4000-8000-000000000004", name: "t" },
  sla: { maxDowntimeMs: null, maxTotalMs: null },
});

const link = { bandwidthMbps: 10_000, rttMs: 0.5, timeScale: 0 };

function hooks(onSwitchover?: (abort: AbortController) => void) {
  const abort = new AbortController();
  const reports: ProgressReport[] = [];
  return {
    reports,
    hooks: {
      signal: abort.signal,
      progress: async (r: ProgressReport) => void reports.push(r),
      beforeSwitchover: async (r: ProgressReport) => {
        reports.push(r);
        onSwitchover?.(abort);
      },
    },
  };
}

describe("TimingModelExecutor", () => {
  it.each<Technique>(["non-live", "pre-copy", "post-copy", "hybrid"])("%s: sends at least all memory; downtime within total", async (technique) => {
    const { hooks: h, reports } = hooks();
    const { metrics, bytesTransferred } = await new TimingModelExecutor(link).run(migration(technique), h);
    expect(metrics.pagesTransferred).toBeGreaterThanOrEqual((4096 * 1024) / 4);
    expect(bytesTransferred).toBeGreaterThanOrEqual(4096 * 1024 * 1024);
    expect(metrics.downtimeMs).toBeLessThanOrEqual(metrics.totalMs);
    expect(reports.some((r) => r.phase === "stop-and-copy")).toBe(true);
  });

  it("non-live: downtime is the whole transfer", async () => {
    const { metrics } = await new TimingModelExecutor(link).run(migration("non-live"), hooks().hooks);
    expect(metrics.downtimeMs).toBeGreaterThan(0.9 * (metrics.totalMs - metrics.preparationMs - metrics.resumeMs));
  });

  it("a cancel at the commit point leaves the VM on its source", async () => {
    const { hooks: h } = hooks((abort) => abort.abort("cancelled by the controller"));
    await expect(new TimingModelExecutor(link).run(migration("pre-copy"), h)).rejects.toBeInstanceOf(MigrationAborted);
  });
});
