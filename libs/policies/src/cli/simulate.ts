import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { PoliciesError } from "../model/errors";
import { policyNames } from "../registry";
import type { VmTypeAssignment } from "../simulator/datacenter";
import type { VmLifetime } from "../simulator/engine";
import { runDay, type DayRun } from "../simulator/run-day";
import type { FileOrder } from "../simulator/trace";

const USAGE = `usage: npm run -s simulate -- --trace <day folder | day> --policy <name> [options]

  --trace <path|day>   a PlanetLab day folder, or a day name (20110303) under ../shared/data/planetlab
  --policy <name>      <detector>-<selection> (thr|iqr|mad|lr|lrr x mmt|mc|rs|mu), dvfs, npa, ferry, ...
  --safety <x>         the detector's parameter (defaults: thr 0.8, iqr 1.5, mad 2.5, lr and lrr 1.2;
                       for ferry the forecast margin in standard deviations, default 0.5)
  --hosts <n>          number of hosts, alternating HP ML110 G4 and G5 (default 800)
  --predictor <name>   migration time model: memory-bandwidth (CloudSim, default) or ferry (@ferry/migration)
  --seed <n>           seed for random choices (RS), default 1
  --vm-lifetime <l>    cloudsim (default: a VM whose demand drops to zero stops, as in CloudSim) or whole-day
  --vm-types <t>       cloudsim (default: contiguous quarters per type) or round-robin (type i % 4)
  --file-order <o>     directory (default: the folder's listing order, as CloudSim's File.listFiles())
                       or name (sorted, the same on every machine); decides which trace gets which type
  --json               print one JSON object instead of a table
  --help               this text`;

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function number(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) fail(`--${flag} must be a number, got "${raw}"`);
  return value;
}

function main(argv: string[]): void {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        trace: { type: "string" },
        policy: { type: "string" },
        safety: { type: "string" },
        hosts: { type: "string" },
        predictor: { type: "string" },
        seed: { type: "string" },
        "vm-lifetime": { type: "string" },
        "vm-types": { type: "string" },
        "file-order": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n\npolicies: ${policyNames().join(", ")}\n`);
    return;
  }
  if (!values.trace) fail("--trace is required");
  if (!values.policy) fail("--policy is required");
  const hosts = number("hosts", values.hosts);
  if (hosts !== undefined && !(Number.isInteger(hosts) && hosts > 0)) fail(`--hosts must be a positive integer, got ${values.hosts}`);
  const seed = number("seed", values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) fail(`--seed must be an integer, got ${values.seed}`);

  let run: DayRun;
  try {
    run = runDay({
      trace: values.trace,
      policy: values.policy,
      safety: number("safety", values.safety),
      hosts,
      predictor: values.predictor,
      seed,
      vmLifetime: values["vm-lifetime"] as VmLifetime | undefined,
      vmTypes: values["vm-types"] as VmTypeAssignment | undefined,
      fileOrder: values["file-order"] as FileOrder | undefined,
      now: () => performance.now(),
    });
  } catch (error) {
    if (error instanceof PoliciesError) {
      process.stderr.write(`simulate: ${error.message}\n`);
      process.exit(error.code === "UnknownPolicy" || error.code === "InvalidParameter" ? 2 : 1);
    }
    throw error;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(run)}\n`);
    return;
  }
  const rows: Array<[string, string]> = [
    ["day", run.day],
    ["policy", `${run.policy}${run.safety === null ? "" : ` (safety ${run.safety})`}`],
    ["VMs / hosts", `${run.vms} / ${run.hosts}${run.unplacedVms ? ` (${run.unplacedVms} VMs found no host)` : ""}`],
    ["VMs stopped idle", `${run.retiredVms} (vm lifetime ${run.vmLifetime}, vm types ${run.vmTypes}, file order ${run.fileOrder})`],
    ["energy", `${run.energyKWh.toFixed(2)} kWh`],
    ["migrations", String(run.migrations)],
    ["SLATAH", `${run.slatahPct.toFixed(2)} %`],
    ["PDM", `${run.pdmPct.toFixed(3)} %`],
    ["SLAV", run.slav.toExponential(3)],
    ["ESV", run.esv.toExponential(3)],
    ["active hosts (mean)", run.activeHostsMean.toFixed(1)],
    ["migration predictor", run.predictor],
    ["wall time", `${run.wallMs.toFixed(0)} ms`],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(22)}${v}\n`);
}

main(process.argv.slice(2));
