import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { migrationCostModel } from "../migration-cost/models";
import { PoliciesError } from "../model/errors";
import { createRng } from "@ferry/random";
import { createPolicy } from "../registry";
import { planetLabHosts, planetLabVms, PLANETLAB_HOSTS, type VmTypeAssignment } from "./datacenter";
import { simulate, type SimulationResult, type VmLifetime } from "./engine";
import { loadDayTrace, type FileOrder } from "./trace";

export interface RunDayOptions {
  /** A day folder, or a bare day name (20110303) looked up in ../shared/data/planetlab. */
  readonly trace: string;
  readonly policy: string;
  readonly safety?: number;
  readonly hosts?: number;
  readonly predictor?: string;
  readonly seed?: number;
  readonly vmLifetime?: VmLifetime;
  readonly vmTypes?: VmTypeAssignment;
  /** Which trace gets which VM type: "directory" (default, CloudSim's File.listFiles()) or "name". */
  readonly fileOrder?: FileOrder;
  /** Wall clock for wallMs, injected so the library itself never reads time. */
  readonly now: () => number;
}

export interface DayRun extends SimulationResult {
  readonly day: string;
  readonly policy: string;
  readonly safety: number | null;
  readonly predictor: string;
  readonly seed: number;
  readonly vmLifetime: VmLifetime;
  readonly vmTypes: VmTypeAssignment;
  readonly fileOrder: FileOrder;
  /** The first trace file in that order (types go by quarters of it): says which pairing a run used. */
  readonly firstVm: string;
  readonly wallMs: number;
}

/** The repository root: the nearest folder upwards holding the workspace's package.json ("ferry"). */
export function repoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "ferry") return dir;
      } catch {
        // not a JSON manifest we understand: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new PoliciesError("TraceNotFound", `no ferry repository above ${from}`);
    dir = parent;
  }
}

export function planetLabDataFolder(): string {
  return join(repoRoot(), "..", "shared", "data", "planetlab");
}

export function resolveTraceFolder(trace: string): string {
  if (existsSync(trace) || trace.includes(sep) || trace.includes("/")) return trace;
  return join(planetLabDataFolder(), trace);
}

/** Loads a day, builds the policy and simulates it: what the CLI and the benchmark both run. */
export function runDay(options: RunDayOptions): DayRun {
  const predictor = options.predictor ?? "memory-bandwidth";
  const costModel = migrationCostModel(predictor);
  const definition = createPolicy(options.policy, {
    costModel,
    cloudSimQuirks: true,
    ...(options.safety === undefined ? {} : { safety: options.safety }),
  });
  const hostCount = options.hosts ?? PLANETLAB_HOSTS;
  if (!(Number.isInteger(hostCount) && hostCount > 0)) {
    throw new PoliciesError("InvalidParameter", `hosts must be a positive integer, got ${options.hosts}`);
  }
  const seed = options.seed ?? 1;
  const vmLifetime = options.vmLifetime ?? "cloudsim";
  const vmTypes = options.vmTypes ?? "cloudsim";
  if (vmLifetime !== "cloudsim" && vmLifetime !== "whole-day") {
    throw new PoliciesError("InvalidParameter", `vm lifetime must be cloudsim or whole-day, got ${vmLifetime}`);
  }
  if (vmTypes !== "cloudsim" && vmTypes !== "round-robin") {
    throw new PoliciesError("InvalidParameter", `vm types must be cloudsim or round-robin, got ${vmTypes}`);
  }
  const fileOrder = options.fileOrder ?? "directory";
  if (fileOrder !== "directory" && fileOrder !== "name") {
    throw new PoliciesError("InvalidParameter", `file order must be directory or name, got ${fileOrder}`);
  }
  const started = options.now();
  const trace = loadDayTrace(resolveTraceFolder(options.trace), fileOrder);
  const result = simulate({
    trace,
    hosts: planetLabHosts(hostCount),
    vms: planetLabVms(trace.vmNames.length, vmTypes),
    vmLifetime,
    strategy: definition.strategy,
    initialPlacement: definition.initialPlacement,
    powerAware: definition.powerAware,
    costModel,
    rng: createRng(seed),
  });
  return {
    day: trace.day,
    policy: definition.name,
    safety: definition.safety ?? null,
    predictor,
    seed,
    vmLifetime,
    vmTypes,
    fileOrder,
    firstVm: trace.vmNames[0]!,
    ...result,
    wallMs: options.now() - started,
  };
}
