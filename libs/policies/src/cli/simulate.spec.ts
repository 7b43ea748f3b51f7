import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = mkdtempSync(join(tmpdir(), "ferry-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A tiny day: 8 VMs, 6 samples, so the CLI finishes in well under a second. */
const folder = join(root, "tiny day");
mkdirSync(folder);
for (let i = 0; i < 8; i++) writeFileSync(join(folder, `vm ${i}`), [10, 20, 30 + i, 40, 10, 5].map(String).join("\n") + "\n");
const broken = join(root, "broken");
mkdirSync(broken);
writeFileSync(join(broken, "vm"), "12\nseven\n");

function cli(...args: string[]) {
  return spawnSync(process.execPath, ["-r", "@swc-node/register", join(__dirname, "simulate.ts"), ...args], {
    encoding: "utf8",
    cwd: join(__dirname, "..", "..", "..", ".."),
  });
}

describe("simulate CLI", () => {
  it("prints exactly one JSON object with the fixed fields", () => {
    const r = cli("--trace", folder, "--policy", "lr-mmt", "--hosts", "8", "--json");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const run = JSON.parse(lines[0]!) as Record<string, unknown>;
    for (const field of ["energyKWh", "migrations", "slatahPct", "pdmPct", "slav", "esv", "activeHostsMean", "wallMs"]) {
      expect(typeof run[field]).toBe("number");
    }
    expect(run.policy).toBe("lr-mmt");
  });
  it.each([
    { name: "missing --trace", args: ["--policy", "thr-mmt"], status: 2, message: /--trace is required/ },
    { name: "unknown policy", args: ["--trace", folder, "--policy", "best-ever"], status: 2, message: /unknown policy "best-ever"/ },
    { name: "safety not a number", args: ["--trace", folder, "--policy", "thr-mmt", "--safety", "high"], status: 2, message: /--safety must be a number/ },
    { name: "negative safety", args: ["--trace", folder, "--policy", "mad-mmt", "--safety=-1"], status: 2, message: /safety parameter must be a number >= 0/ },
    { name: "zero hosts", args: ["--trace", folder, "--policy", "thr-mmt", "--hosts", "0"], status: 2, message: /--hosts must be a positive integer/ },
    { name: "unknown flag", args: ["--trace", folder, "--policy", "thr-mmt", "--fast"], status: 2, message: /Unknown option '--fast'/ },
    { name: "missing trace folder", args: ["--trace", join(root, "nowhere"), "--policy", "thr-mmt"], status: 1, message: /trace folder not found/ },
    { name: "malformed trace", args: ["--trace", broken, "--policy", "thr-mmt"], status: 1, message: /vm:2: "seven"/ },
  ])("$name: exit $status with a message", ({ args, status, message }) => {
    const r = cli(...args);
    expect(r.status).toBe(status);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });
});
