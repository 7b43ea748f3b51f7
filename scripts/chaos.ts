/**
 * `npm run chaos -- --migrations 100 --seed 1`: a tcp-mode cluster under SIGKILLs (scripts/cluster/chaos-run.ts).
 * Prints one line, writes the whole result as JSON (--out), and exits non-zero when an invariant broke: a
 * migration not terminal by the deadline, a VM not on exactly one node, an image that is not its deterministic one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../apps/controller/src/database/provision";
import { runChaos, summaryLine } from "./cluster/chaos-run";

const { values } = parseArgs({
  options: {
    migrations: { type: "string", default: "100" },
    seed: { type: "string", default: "1" },
    agents: { type: "string", default: "4" },
    vms: { type: "string", default: "12" },
    concurrency: { type: "string", default: "3" },
    "kill-every-ms": { type: "string", default: "4000" },
    "settle-s": { type: "string", default: "120" },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});

function count(name: keyof typeof values, min: number): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`chaos: --${name} must be an integer of at least ${min}, got "${String(values[name])}"`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const seed = count("seed", 0);
  const root = repoRoot(__dirname);
  const workDir = join(root, ".ferry", "chaos", `seed-${seed}-${Date.now()}`);
  const result = await runChaos({
    migrations: count("migrations", 1),
    seed,
    agents: count("agents", 2),
    vms: count("vms", 1),
    concurrency: count("concurrency", 1),
    killEveryMs: count("kill-every-ms", 1),
    settleMs: count("settle-s", 1) * 1000,
    workDir,
    keep: values.keep!,
    log: values.verbose ? (line) => console.error(line) : () => undefined,
  });
  const out = values.out ?? join(root, ".ferry", "chaos", "result.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(summaryLine(result));
  if (!result.ok) {
    for (const v of result.violations.slice(0, 20)) console.error(`  ${v}`);
    console.error(`chaos: result in ${out}, logs and agents' data kept in ${result.workDir}`);
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(`chaos: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
