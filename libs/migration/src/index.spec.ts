import { describe, expect, it } from "vitest";
import {
  chooseTechnique,
  createPacedClock,
  LinkModel,
  type MigrationInput,
  predict,
  type ProgressEvent,
  runMigration,
} from "./index";

/** The README's examples, run as written: what the node agent and the controller call. */
describe("public API (README examples)", () => {
  const input: MigrationInput = {
    vm: { memMiB: 2048, workload: { dirtyMiBps: 80, locality: "hotset:0.1" } },
    link: { bandwidthMbps: 10_000, rttMs: 0.5 },
    technique: { name: "pre-copy", delta: true },
    seed: 42,
  };

  it("agent: runs a migration, streams progress, and can slow it to wall-clock pace", async () => {
    const link = new LinkModel(input.link);
    const events: ProgressEvent[] = [];
    let wallMs = 0;
    const result = await runMigration(input, {
      link,
      onProgress: (e) => events.push(e),
      clock: createPacedClock({ speedup: 10, wallNow: () => wallMs, sleep: async (ms) => void (wallMs += ms) }),
    });
    expect(result).toMatchObject({ technique: "pre-copy", outcome: "completed", seed: 42 });
    for (const k of ["preparationMs", "downtimeMs", "resumeMs", "pagesTransferred", "totalMs", "degradation"] as const) {
      expect(Number.isFinite(result[k])).toBe(true);
    }
    expect(events.at(-1)?.progress).toBe(1);
    expect(wallMs).toBeGreaterThan(result.totalMs / 10 - 10);
  });

  it("controller: predicts a technique's metrics and chooses one for an SLA", () => {
    const p = predict({ vm: input.vm, link: input.link, technique: input.technique });
    expect(p.downtimeMs).toBeLessThan(300);
    const choice = chooseTechnique(input.vm, input.link, { maxDowntimeMs: 300, maxTotalMs: 30_000 });
    expect(choice.ok).toBe(true);
    expect(choice.reason.length).toBeGreaterThan(20);
  });
});
