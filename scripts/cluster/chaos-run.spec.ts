import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runChaos, summaryLine } from "./chaos-run";

/** `npm run chaos` with a small count: the same run, the same checks. */
describe("chaos run (tcp mode, SIGKILLs of sources, targets and the controller)", () => {
  const workDir = mkdtempSync(join(tmpdir(), "ferry-chaos-"));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it("every migration ends, every VM is on exactly one node with its deterministic image", async () => {
    const lines: string[] = [];
    const result = await runChaos({
      migrations: 12,
      seed: 7,
      agents: 3,
      vms: 6,
      concurrency: 3,
      killEveryMs: 1_500,
      settleMs: 60_000,
      workDir,
      keep: false,
      log: (line) => lines.push(line),
    });
    const summary = summaryLine(result);
    expect(result.violations, `${summary}\n${lines.join("\n")}`).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.migrations.issued).toBe(12);
    expect(result.migrations.stuck).toBe(0);
    expect(result.kills.source + result.kills.target + result.kills.controller).toBeGreaterThan(0);
    expect(result.audit).toMatchObject({ vms: 6, onOneNode: 6, digestsMatch: 6 });
    expect(summary).toMatch(/^chaos: 12 migrations \(\d+ completed, \d+ failed, \d+ cancelled, 0 stuck\), \d+ kills .*6\/6 digests match/);
  }, 300_000);
});
