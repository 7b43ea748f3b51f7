import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

/** What every benchmark records with its results: where the repository is, at which commit, on what machine. */
export const REPO_ROOT = join(__dirname, "..");

export function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function machine() {
  return {
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
