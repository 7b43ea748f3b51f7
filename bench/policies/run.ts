import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { heuristicNames, type DayRun } from "@ferry/policies";
import { REPO_ROOT, dataFolder } from "../bench-env";
import { readdirSync } from "node:fs";
import type { Job } from "./worker";
import { energyVersusSlavSvg, ferryVersusHeuristics, summarize, summaryTable } from "./report";

/**
 * Every detector x selection pair, Ferry's policies, DVFS and NPA on every PlanetLab day; writes the raw
 * runs (bench/policies/results*.json), the table and plot into libs/policies/README.md between the
 * bench markers, and libs/policies/docs/energy-vs-slav.svg. Runs on worker threads (default: one per
 * core, at most 2: this machine has two and shares them).
 *
 * The PlanetLab traces (one folder per day) are not in the repository: --data <folder>, else
 * FERRY_PLANETLAB_DIR, else ../shared/data/planetlab beside it.
 */
const { values } = parseArgs({
  options: {
    data: { type: "string" },
    days: { type: "string" },
    policies: { type: "string" },
    workers: { type: "string" },
    predictor: { type: "string", default: "memory-bandwidth" },
    "vm-lifetime": { type: "string", default: "cloudsim" },
    "no-readme": { type: "boolean" },
  },
});

const FERRY = ["ferry", "ferry-dense"];
const HEURISTICS = heuristicNames();
const policies = values.policies ? values.policies.split(",") : [...FERRY, ...HEURISTICS, "dvfs", "npa"];
const traces = dataFolder({ bench: "bench:policies", flag: "data", env: "FERRY_PLANETLAB_DIR", name: "planetlab", holds: "one folder of traces per day (20110303, ...)", given: values.data, needs: values.days ? values.days.split(",") : [] });
const days = values.days
  ? values.days.split(",")
  : readdirSync(traces, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const predictor = values.predictor!;
const vmLifetime = values["vm-lifetime"] as Job["vmLifetime"];
const workers = Math.max(1, Math.min(Number(values.workers ?? 2), availableParallelism()));

const jobs: Job[] = [];
for (const day of days) for (const policy of policies) jobs.push({ id: jobs.length, day, trace: join(traces, day), policy, predictor, vmLifetime });

async function runAll(): Promise<DayRun[]> {
  const results: DayRun[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(join(__dirname, "worker.ts"), { execArgv: ["-r", "@swc-node/register"] });
        const feed = () => {
          if (next >= jobs.length) {
            void worker.terminate().then(() => resolve());
            return;
          }
          worker.postMessage(jobs[next++]);
        };
        worker.on("message", (msg: { id: number; run?: DayRun; error?: string }) => {
          const job = jobs[msg.id]!;
          done++;
          if (msg.error) {
            reject(new Error(`${job.policy} on ${job.day}: ${msg.error}`));
            return;
          }
          results.push(msg.run!);
          const r = msg.run!;
          process.stderr.write(
            `[${done}/${jobs.length} ${((performance.now() - started) / 1000).toFixed(0)}s] ${job.day} ${job.policy}: ` +
              `${r.energyKWh.toFixed(1)} kWh, ${r.migrations} migrations, ESV ${r.esv.toExponential(2)}, ${r.wallMs.toFixed(0)} ms\n`,
          );
          feed();
        });
        worker.on("error", reject);
        feed();
      }),
    ),
  );
  process.stderr.write(`all ${jobs.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s on ${workers} worker(s)\n`);
  return results;
}

async function main(): Promise<void> {
  const runs = await runAll();
  const root = REPO_ROOT;
  const suffix = `${predictor === "memory-bandwidth" ? "" : `-${predictor}`}${vmLifetime === "cloudsim" ? "" : `-${vmLifetime}`}`;
  const order = policies.filter((p) => runs.some((r) => r.policy === p));
  const summaries = summarize(runs, order);
  const ferries = FERRY.filter((f) => order.includes(f));
  const heuristics = HEURISTICS.filter((h) => order.includes(h));
  const table = summaryTable(summaries);
  const perDay = heuristics.length > 0 && ferries.length > 0 ? ferryVersusHeuristics(runs, heuristics, ferries) : "";
  writeFileSync(join(root, "bench", "policies", `results${suffix}.json`), JSON.stringify({ predictor, vmLifetime, days, runs }, null, 1) + "\n");
  process.stdout.write(`${table}\n\n${perDay}\n`);
  if (values["no-readme"]) return;
  mkdirSync(join(root, "libs", "policies", "docs"), { recursive: true });
  const svgName = `energy-vs-slav${suffix}.svg`;
  writeFileSync(join(root, "libs", "policies", "docs", svgName), energyVersusSlavSvg(summaries, ferries) + "\n");
  const readmePath = join(root, "libs", "policies", "README.md");
  const start = `<!-- bench:policies${suffix}:start -->`;
  const end = `<!-- bench:policies${suffix}:end -->`;
  const readme = readFileSync(readmePath, "utf8");
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < 0) throw new Error(`README has no ${start} ... ${end} markers`);
  const block = [
    start,
    `Generated by \`npm run bench:policies\` (${days.length} days, ${runs.length} runs, predictor ${predictor}, VM lifetime ${vmLifetime}). Mean ± standard deviation over the days.`,
    "",
    table,
    "",
    perDay,
    "",
    `![energy vs SLAV](docs/${svgName})`,
    end,
  ].join("\n");
  writeFileSync(readmePath, readme.slice(0, i) + block + readme.slice(j + end.length));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:policies: ${(error as Error).message}\n`);
  process.exit(1);
});
