import type { OverloadDetector } from "./detectors/detector";
import { iqr } from "./detectors/iqr";
import { cloudSimFit, loessFit, lr } from "./detectors/lr";
import { lrr, robustLoessFit } from "./detectors/lrr";
import { mad } from "./detectors/mad";
import { thr } from "./detectors/thr";
import type { MigrationCostModel } from "./migration-cost/migration-cost";
import { PoliciesError } from "./model/errors";
import { pabfd } from "./placement/pabfd";
import { mc } from "./selection/mc";
import { mmt } from "./selection/mmt";
import { mu } from "./selection/mu";
import { rs } from "./selection/rs";
import type { VmSelector } from "./selection/selector";
import type { InitialPlacementRule } from "./simulator/initial-placement";
import { migrationHeuristic } from "./strategies/migration-heuristic";
import { ferry, FERRY_DEFAULTS, FERRY_DENSE, type FerryOptions } from "./strategies/ferry";
import { noMigration } from "./strategies/no-migration";
import type { Strategy } from "./strategies/strategy";

/** CloudSim's examples fall back to a static 0.7 threshold while a host's history is too short. */
export const FALLBACK_THRESHOLD = 0.7;

interface DetectorEntry {
  readonly defaultSafety: number;
  /** cloudSim: build CloudSim 3.0.3's variant where it differs from the paper (LR and LRR: least squares). */
  readonly build: (safety: number, cloudSim?: boolean) => OverloadDetector;
}

/** The one list of detectors, with the paper's default safety parameters. */
export const DETECTORS: Readonly<Record<string, DetectorEntry>> = {
  thr: { defaultSafety: 0.8, build: (s) => thr(s) },
  iqr: { defaultSafety: 1.5, build: (s) => iqr(s, thr(FALLBACK_THRESHOLD)) },
  mad: { defaultSafety: 2.5, build: (s) => mad(s, thr(FALLBACK_THRESHOLD)) },
  lr: { defaultSafety: 1.2, build: (s, c) => lr(s, thr(FALLBACK_THRESHOLD), c ? cloudSimFit : loessFit) },
  lrr: { defaultSafety: 1.2, build: (s, c) => lrr(s, thr(FALLBACK_THRESHOLD), c ? cloudSimFit : robustLoessFit) },
};

export const SELECTORS: Readonly<Record<string, () => VmSelector>> = {
  mmt: () => mmt(),
  mc: () => mc(mmt()),
  rs: () => rs(),
  mu: () => mu(),
};

/** How a policy runs in the simulator besides its strategy. */
export interface PolicyDefinition {
  readonly name: string;
  readonly strategy: Strategy;
  readonly initialPlacement: InitialPlacementRule;
  readonly powerAware: boolean;
  /** The detector parameter actually used, when the policy has one. */
  readonly safety?: number;
}

export interface PolicyOptions {
  readonly safety?: number;
  readonly costModel: MigrationCostModel;
  /** The published heuristics reproduce CloudSim 3.0.3's quirks (see MigrationHeuristicParts); the simulator sets it. */
  readonly cloudSimQuirks?: boolean;
}

type Factory = (options: PolicyOptions) => PolicyDefinition;

const BASELINES: Readonly<Record<string, Factory>> = {
  dvfs: () => ({ name: "dvfs", strategy: noMigration("dvfs"), initialPlacement: "first-fit", powerAware: true }),
  npa: () => ({ name: "npa", strategy: noMigration("npa"), initialPlacement: "first-fit", powerAware: false }),
};

/** Ferry's policies share the heuristics' start (same initial placement) so the comparison is fair. */
const FERRY: Readonly<Record<string, Factory>> = {
  ferry: (o) => ferryPolicy("ferry", o, {}),
  "ferry-dense": (o) => ferryPolicy("ferry-dense", o, FERRY_DENSE),
};

/** For Ferry, --safety is the forecast margin z (standard deviations). */
function ferryPolicy(name: string, o: PolicyOptions, preset: Partial<FerryOptions>): PolicyDefinition {
  const z = o.safety ?? preset.z ?? FERRY_DEFAULTS.z;
  return {
    name,
    safety: checkedSafety(z),
    strategy: ferry(name, o.costModel, { ...preset, z }),
    initialPlacement: "power-aware-best-fit",
    powerAware: true,
  };
}

function checkedSafety(safety: number): number {
  if (!(Number.isFinite(safety) && safety >= 0)) {
    throw new PoliciesError("InvalidParameter", `safety parameter must be a number >= 0, got ${safety}`);
  }
  return safety;
}

export function heuristicNames(): string[] {
  return Object.keys(DETECTORS).flatMap((d) => Object.keys(SELECTORS).map((s) => `${d}-${s}`));
}

export function policyNames(): string[] {
  return [...heuristicNames(), ...Object.keys(BASELINES), ...Object.keys(FERRY)];
}

export function createPolicy(name: string, options: PolicyOptions): PolicyDefinition {
  const ferryFactory = FERRY[name];
  if (ferryFactory) return ferryFactory(options);
  const baseline = BASELINES[name];
  if (baseline) {
    if (options.safety !== undefined) {
      throw new PoliciesError("InvalidParameter", `policy ${name} has no detector: --safety does not apply`);
    }
    return baseline(options);
  }
  const [detectorName, selectorName, ...rest] = name.split("-");
  const detector = DETECTORS[detectorName ?? ""];
  const selector = SELECTORS[selectorName ?? ""];
  if (!detector || !selector || rest.length > 0) {
    throw new PoliciesError("UnknownPolicy", `unknown policy "${name}"; known: ${policyNames().join(", ")}`);
  }
  const safety = checkedSafety(options.safety ?? detector.defaultSafety);
  const built = detector.build(safety, options.cloudSimQuirks === true);
  return {
    name,
    safety,
    initialPlacement: "power-aware-best-fit",
    powerAware: true,
    strategy: migrationHeuristic({
      name: `${name}-${safety}`,
      detector: built,
      selector: selector(),
      chooser: pabfd(built),
      costModel: options.costModel,
      cloudSimQuirks: options.cloudSimQuirks === true,
    }),
  };
}
