import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  location: { pointer: string }[];
}

const cli = require.resolve("@redocly/cli/bin/cli.js");

/** Redocly CLI's `lint` with its recommended rules over an OpenAPI document; the problems it finds. */
export async function redoclyLint(doc: unknown): Promise<LintProblem[]> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-redocly-"));
  try {
    const file = join(dir, "openapi.json");
    const report = join(dir, "report.json");
    await writeFile(file, JSON.stringify(doc));
    await writeFile(join(dir, "redocly.yaml"), "extends:\n  - recommended\n");
    await promisify(execFile)(process.execPath, [cli, "lint", file, "--format=json", "--config", join(dir, "redocly.yaml")], {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      maxBuffer: 16 * 1024 * 1024,
    }).then(
      (r) => writeFile(report, r.stdout),
      (e: { stdout?: string }) => writeFile(report, e.stdout ?? "{}"),
    );
    return (JSON.parse(await readFile(report, "utf8")) as { problems?: LintProblem[] }).problems ?? [];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
