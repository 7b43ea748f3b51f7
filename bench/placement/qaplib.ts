/**
 * QAPLIB benchmark: every instance of the QAPLIB data set (or the chosen ones) solved by the dense QAP mode
 * with a time budget per instance, one after the other on one core, each answer checked to be a permutation, then
 * re-scored from it against bks.tsv. Writes a markdown table and a JSON file (seed, commit, machine) next to this
 * script.
 *
 *   npm run bench:qaplib -- [--data <folder>] [--instances nug12,tai*a] [--max-n 100] [--time-limit-ms 10000]
 *                           [--large-time-limit-ms 60000] [--seed 1] [--out bench/placement/results/qaplib]
 *
 * The data set (instances/<name>.dat and bks.tsv, 136 instances) is not in the repository: --data, else
 * FERRY_QAPLIB_DIR, else ../shared/data/qaplib beside it. The tests use the few instances vendored in
 * libs/placement/fixtures/qaplib.
 *
 * tai256c (n > 150) gets --large-time-limit-ms; all other instances --time-limit-ms. Budgets are CPU time of this
 * process by default (--clock cpu; the machine is shared), or wall-clock time with --clock wall.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { Clock } from "@ferry/placement";
import { parseQaplib, qapCost, solveQap, systemClock } from "@ferry/placement";
import { dataFolder, gitCommit, machine } from "../bench-env";
import { cpuClock } from "./cpu-clock";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    instances: { type: "string" },
    "max-n": { type: "string" },
    "time-limit-ms": { type: "string", default: "10000" },
    "large-time-limit-ms": { type: "string", default: "60000" },
    seed: { type: "string", default: "1" },
    clock: { type: "string", default: "cpu" },
    out: { type: "string", default: join(__dirname, "results", "qaplib") },
  },
});

interface Row {
  instance: string;
  n: number;
  bestKnown: number;
  optimal: boolean;
  found: number;
  gapPct: number;
  timeToBestS: number;
  timeS: number;
  wallS: number;
  iterations: number;
}

function main(): void {
  const data = dataFolder({ bench: "bench:qaplib", flag: "data", env: "FERRY_QAPLIB_DIR", name: "qaplib", holds: "instances/<name>.dat and bks.tsv", given: values.data, needs: ["bks.tsv", "instances"] });
  const bks = new Map(
    readFileSync(join(data, "bks.tsv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => {
        const [name, n, value, optimal] = l.split("\t");
        return [name, { n: Number(n), value: Number(value), optimal: optimal === "yes" }] as const;
      }),
  );
  const patterns = values.instances?.split(",").map((p) => new RegExp(`^${p.trim().replace(/\*/g, ".*")}$`));
  const maxN = values["max-n"] === undefined ? Infinity : Number(values["max-n"]);
  const names = readdirSync(join(data, "instances"))
    .filter((f) => f.endsWith(".dat"))
    .map((f) => f.slice(0, -4))
    .filter((name) => !patterns || patterns.some((p) => p.test(name)))
    .filter((name) => (bks.get(name)?.n ?? Infinity) <= maxN)
    .sort((x, y) => bks.get(x)!.n - bks.get(y)!.n || x.localeCompare(y));
  const seed = Number(values.seed);
  const smallMs = Number(values["time-limit-ms"]);
  const largeMs = Number(values["large-time-limit-ms"]);
  if (values.clock !== "cpu" && values.clock !== "wall") throw new Error(`--clock must be cpu or wall, got ${values.clock}`);
  const clock: Clock = values.clock === "cpu" ? cpuClock : systemClock;
  const rows: Row[] = [];
  const started = Date.now();
  for (const name of names) {
    const inst = parseQaplib(readFileSync(join(data, "instances", `${name}.dat`), "utf8"));
    const ref = bks.get(name)!;
    const timeLimitMs = inst.n > 150 ? largeMs : smallMs;
    const wall0 = performance.now();
    const r = solveQap(inst, { seed, timeLimitMs, clock });
    const wallS = (performance.now() - wall0) / 1000;
    const notPermutation = permutationError(r.permutation, inst.n);
    if (notPermutation) throw new Error(`${name}: the answer is not a permutation of 0..${inst.n - 1}: ${notPermutation}`);
    const found = qapCost(inst, r.permutation);
    if (found !== r.cost) throw new Error(`${name}: reported cost ${r.cost} but the permutation costs ${found}`);
    const gapPct = ref.value === 0 ? (found === 0 ? 0 : Infinity) : ((found - ref.value) / ref.value) * 100;
    const row = { instance: name, n: inst.n, bestKnown: ref.value, optimal: ref.optimal, found, gapPct, timeToBestS: r.bestAtMs / 1000, timeS: r.elapsedMs / 1000, wallS, iterations: r.iterations };
    rows.push(row);
    process.stderr.write(`${name.padEnd(8)} n=${String(inst.n).padStart(3)} gap ${gapPct.toFixed(3).padStart(7)}%  best at ${row.timeToBestS.toFixed(2)} s (wall ${wallS.toFixed(1)} s)\n`);
  }
  const summary = summarise(rows);
  const meta = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    ...machine(),
    seed,
    clock: values.clock,
    timeLimitMs: smallMs,
    largeTimeLimitMs: largeMs,
    wallClockMin: Math.round((Date.now() - started) / 600) / 100,
  };
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(`${values.out}.json`, `${JSON.stringify({ meta, summary, rows }, null, 1)}\n`);
  writeFileSync(`${values.out}.md`, markdown(meta, summary, rows));
  process.stdout.write(`${JSON.stringify({ summary, meta })}\n`);
}

/** Why `p` is not a permutation of 0..n-1 (wrong length, an entry out of range or not an integer, a repeat), or undefined. */
function permutationError(p: readonly number[], n: number): string | undefined {
  if (!Array.isArray(p) || p.length !== n) return `length ${Array.isArray(p) ? p.length : typeof p}, expected ${n}`;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = p[i];
    if (!Number.isInteger(x) || x < 0 || x >= n) return `entry ${i} is ${x}`;
    if (seen[x]) return `location ${x} appears twice`;
    seen[x] = 1;
  }
  return undefined;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length;
}

function summarise(rows: Row[]): Record<string, { instances: number; meanGapPct: number; atBestKnown: number }> {
  const isTaiA = (r: Row): boolean => /^tai\d+a$/.test(r.instance);
  const groups: Record<string, Row[]> = {
    "n <= 100": rows.filter((r) => r.n <= 100),
    "n <= 100, tai*a": rows.filter((r) => r.n <= 100 && isTaiA(r)),
    "n <= 100, all but tai*a": rows.filter((r) => r.n <= 100 && !isTaiA(r)),
    "n > 100": rows.filter((r) => r.n > 100),
    all: rows,
  };
  return Object.fromEntries(
    Object.entries(groups)
      .filter(([, rs]) => rs.length > 0)
      .map(([k, rs]) => [k, { instances: rs.length, meanGapPct: round(mean(rs.map((r) => r.gapPct)), 4), atBestKnown: rs.filter((r) => r.found <= r.bestKnown).length }]),
  );
}

function round(x: number, digits: number): number {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}

function markdown(meta: Record<string, unknown>, summary: ReturnType<typeof summarise>, rows: Row[]): string {
  const lines = [
    "# QAPLIB results (dense QAP mode: iterated robust tabu search)",
    "",
    `Generated by \`npm run bench:qaplib\` on ${meta.date} (commit ${meta.commit}, ${meta.node}, ${meta.cpu}, ${meta.cores} cores shared with other work;`,
    `load average at the end ${(meta.loadAverageAtEnd as number[]).join(" / ")}). One instance at a time on one core, seed ${meta.seed},`,
    `${meta.timeLimitMs} ms per instance (${meta.largeTimeLimitMs} ms for n > 150) of ${meta.clock === "cpu" ? "CPU time of the solving process (the machine was shared, so a" : "wall-clock time"}`,
    `${meta.clock === "cpu" ? "wall-clock budget would have measured the other jobs; on an idle core the two agree)" : "(under whatever else ran on the machine)"}, counted from the solver call`,
    "(parsing the file, a few ms, is outside). Every `found` value is re-scored from the returned permutation.",
    "Gap % = (found - best known) / best known x 100. *Time to best*: when the returned permutation was first reached,",
    `on the same clock. Total wall-clock time of the run: ${meta.wallClockMin} min.`,
    "",
    "| set | instances | mean gap % | at best known |",
    "|---|---:|---:|---:|",
    ...Object.entries(summary).map(([k, s]) => `| ${k} | ${s.instances} | ${s.meanGapPct.toFixed(3)} | ${s.atBestKnown} |`),
    "",
    "| instance | n | best known | found | gap % | time to best (s) |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.instance} | ${r.n} | ${r.bestKnown}${r.optimal ? "" : "*"} | ${r.found} | ${r.gapPct.toFixed(3)} | ${r.timeToBestS.toFixed(2)} |`),
    "",
    "\\* best known value, not proven optimal.",
    "",
  ];
  return lines.join("\n");
}

main();
