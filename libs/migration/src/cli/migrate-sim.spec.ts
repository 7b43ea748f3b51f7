import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseMigrateSimArgs } from "./migrate-sim-args";

const BASE = ["--mem-mib", "64", "--dirty-mibps", "20", "--bandwidth-mbps", "1000", "--rtt-ms", "0.5", "--workload", "hotset:0.1", "--seed", "3"];

describe("migrate-sim flags", () => {
  it.each([
    { name: "pre-copy with every improvement", args: ["--technique", "pre-copy", "--delta", "--hot-bitmap", "--auto-converge"], want: { name: "pre-copy", delta: true, hotBitmap: true, autoConverge: true } },
    { name: "post-copy with multi-pivot pre-paging", args: ["--technique", "post-copy", "--prepaging", "multi-pivot"], want: { name: "post-copy", prepaging: "multi-pivot" } },
    { name: "hybrid with rounds and a limit", args: ["--technique", "hybrid", "--precopy-rounds", "3", "--downtime-limit-ms", "100"], want: { name: "hybrid", precopyRounds: 3, downtimeLimitMs: 100 } },
    { name: "non-live", args: ["--technique", "non-live"], want: { name: "non-live" } },
    { name: "pre-copy over 4 multifd channels", args: ["--technique", "pre-copy", "--multifd", "--multifd-channels", "4"], want: { name: "pre-copy", multifd: true, multifdChannels: 4 } },
  ])("$name", ({ args, want }) => {
    const parsed = parseMigrateSimArgs([...args, ...BASE]);
    expect(parsed).toMatchObject({ input: { technique: want, seed: 3, vm: { memMiB: 64, workload: { dirtyMiBps: 20, locality: "hotset:0.1" } } } });
  });

  it("reads a bandwidth-share schedule", () => {
    const parsed = parseMigrateSimArgs(["--technique", "non-live", ...BASE, "--share", "0:1,2000:0.5"]);
    expect(parsed).toMatchObject({ input: { link: { shareSchedule: [{ atMs: 0, share: 1 }, { atMs: 2000, share: 0.5 }] } } });
  });

  it("reads zero pages, huge pages and a per-stream limit", () => {
    const parsed = parseMigrateSimArgs(["--technique", "non-live", ...BASE, "--zero-page-fraction", "0.4", "--page-size-bytes", "2097152", "--stream-mbps", "2500"]);
    expect(parsed).toMatchObject({
      input: { vm: { pageSizeBytes: 2097152, workload: { zeroPageFraction: 0.4 } }, link: { bandwidthMbps: 1000, streamMbps: 2500 } },
    });
  });

  it.each([
    { name: "multifd for post-copy", args: ["--technique", "post-copy", "--multifd", ...BASE], error: "--multifd applies to non-live and pre-copy and hybrid" },
    { name: "an unknown flag", args: ["--technique", "pre-copy", ...BASE, "--turbo"], error: "Unknown option '--turbo'" },
    { name: "a missing flag", args: ["--technique", "pre-copy", "--mem-mib", "64"], error: "missing --dirty-mibps" },
    { name: "an unknown technique", args: ["--technique", "teleport", ...BASE], error: '"teleport" is not one of' },
    { name: "delta for post-copy", args: ["--technique", "post-copy", "--delta", ...BASE], error: "--delta applies to pre-copy and hybrid" },
    { name: "pre-paging for pre-copy", args: ["--technique", "pre-copy", "--prepaging", "bubble", ...BASE], error: "--prepaging applies to post-copy and hybrid" },
    { name: "a number that is not one", args: ["--technique", "pre-copy", ...BASE.slice(0, 2), "--dirty-mibps", "fast", ...BASE.slice(4)], error: '--dirty-mibps: "fast" is not a number' },
    { name: "a bad share", args: ["--technique", "non-live", ...BASE, "--share", "half"], error: '--share: "half"' },
  ])("rejects $name", ({ args, error }) => {
    const parsed = parseMigrateSimArgs(args);
    expect("error" in parsed && parsed.error).toContain(error);
  });
});

describe("migrate-sim command", () => {
  const root = resolve(__dirname, "../../../..");
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, ["-r", "@swc-node/register", "libs/migration/src/cli/migrate-sim.ts", ...args], { cwd: root });

  it("prints one JSON object with the six metrics, and the same one for the same seed", async () => {
    const args = ["--technique", "hybrid", "--prepaging", "bubble", ...BASE];
    const [a, b] = await Promise.all([run(args), run(args)]);
    const lines = a.stdout.trim().split("\n");
    expect(lines.length).toBe(1);
    const out = JSON.parse(lines[0]);
    for (const field of ["preparationMs", "downtimeMs", "resumeMs", "pagesTransferred", "totalMs", "degradation", "rounds", "bytesTransferred", "networkFaults", "timeline"]) {
      expect(out).toHaveProperty(field);
    }
    const stable = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !k.includes("wall")));
    expect(stable(JSON.parse(b.stdout))).toEqual(stable(out));
  }, 60_000);

  it.each([
    { name: "a bad flag", args: ["--technique", "pre-copy", ...BASE, "--nope"], message: "Unknown option" },
    { name: "a value out of range", args: ["--technique", "pre-copy", ...BASE.slice(0, 8), "--workload", "hotset:2", "--seed", "1"], message: "--workload" },
    { name: "delta with multifd", args: ["--technique", "pre-copy", "--delta", "--multifd", ...BASE], message: "--multifd: is not compatible with delta" },
  ])("exits non-zero on $name with a message on stderr", async ({ args, message }) => {
    const err = await run(args).then(
      () => undefined,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain(message);
    expect(err?.stdout).toBe("");
  }, 60_000);
});
