import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
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

/**
 * A data set a benchmark reads from outside the repository: the folder given on the command line, else the
 * environment variable, else the conventional place beside the repository (../shared/data/<name>). When the
 * folder or a file the benchmark needs is not there, says which, and how to point at it, and exits with 2.
 */
export function dataFolder(o: {
  readonly bench: string;
  readonly flag: string;
  readonly env: string;
  readonly name: string;
  /** What the folder holds, for the message. */
  readonly holds: string;
  readonly given?: string;
  /** Paths inside the folder that must exist. */
  readonly needs: readonly string[];
}): string {
  const folder = o.given ?? process.env[o.env] ?? join(REPO_ROOT, "..", "shared", "data", o.name);
  const missing = [folder, ...o.needs.map((n) => join(folder, n))].find((p) => !existsSync(p));
  if (missing !== undefined) {
    process.stderr.write(
      `${o.bench}: the ${o.name} data set is missing: ${missing} does not exist.\n` +
        `Point at a folder holding ${o.holds} with --${o.flag} <folder> or ${o.env}=<folder>.\n`,
    );
    process.exit(2);
  }
  return folder;
}
