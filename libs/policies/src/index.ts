/**
 * @ferry/policies: load-balancing and energy-consolidation policies as pure strategies
 * (snapshot in, plan out), and the trace-driven simulator that proves them on PlanetLab days.
 */

// The model a strategy reads and the plan it returns.
export type { ClusterSnapshot, HostSnapshot, VmSnapshot, TrafficRow } from "./model/snapshot";
export type { HostFinding, Move, MoveReason, Plan } from "./model/plan";
export type { Rng } from "@ferry/random";
export { createRng } from "@ferry/random";
export { PoliciesError, type PoliciesErrorCode } from "./model/errors";

// Strategies and how to build them by name.
export type { Strategy } from "./strategies/strategy";
export { migrationHeuristic, type MigrationHeuristicParts } from "./strategies/migration-heuristic";
export { ferry, FERRY_DEFAULTS, FERRY_DENSE, type FerryOptions } from "./strategies/ferry";
export { noMigration } from "./strategies/no-migration";
export {
  createPolicy,
  policyNames,
  heuristicNames,
  DETECTORS,
  SELECTORS,
  FALLBACK_THRESHOLD,
  type PolicyDefinition,
  type PolicyOptions,
} from "./registry";

// Building blocks.
export type { OverloadDetector } from "./detectors/detector";
export type { HostLoad } from "./model/cluster-model";
export { thr } from "./detectors/thr";
export { mad } from "./detectors/mad";
export { iqr } from "./detectors/iqr";
export { lr } from "./detectors/lr";
export { lrr } from "./detectors/lrr";
export type { VmSelector } from "./selection/selector";
export { mmt } from "./selection/mmt";
export { mc } from "./selection/mc";
export { rs } from "./selection/rs";
export { mu } from "./selection/mu";
export type { TargetChooser } from "./placement/target-chooser";
export { pabfd } from "./placement/pabfd";

// Power and migration cost.
export type { PowerModel } from "./power/power-model";
export { specPowerModel } from "./power/power-model";
export { HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5 } from "./power/hp-proliant";
export type { Link, MigratingVm, MigrationCostModel } from "./migration-cost/migration-cost";
export { memoryOverBandwidth } from "./migration-cost/memory-over-bandwidth";
export { migrationCostModel, MIGRATION_COST_MODELS } from "./migration-cost/models";
export { ferryMigrationPredictor, FERRY_PREDICTOR_DEFAULTS, type FerryPredictorOptions } from "./adapters/ferry-migration";
export { FERRY_PLACEMENT_WEIGHTS, type FerryPlacementWeights } from "./adapters/ferry-placement";

// Simulator.
export { simulate, type SimulationInput, type SimulationResult, type VmLifetime } from "./simulator/engine";
export { loadDayTrace, type DayTrace, type FileOrder } from "./simulator/trace";
export {
  HOST_TYPES,
  VM_TYPES,
  PLANETLAB_HOSTS,
  SCHEDULING_INTERVAL_S,
  planetLabHosts,
  planetLabVms,
  type HostSpec,
  type VmSpec,
  type VmTypeAssignment,
} from "./simulator/datacenter";
export type { SimulationMetrics } from "./simulator/metrics";
export { runDay, resolveTraceFolder, planetLabDataFolder, repoRoot, type DayRun, type RunDayOptions } from "./simulator/run-day";

// CloudSim 3.0.3's own figures, and the comparison with them.
export {
  CLOUDSIM_3_0_3_REFERENCE,
  CLOUDSIM_REFERENCE_PROVENANCE,
  CLOUDSIM_REFERENCE_FIRST_FILE,
  CLOUDSIM_TOLERANCE,
  type CloudSimReferenceRow,
} from "./reference/cloudsim-3-0-3";
export {
  compareWithCloudSim,
  comparisonTable,
  COMPARED_METRICS,
  type ComparedMetric,
  type ComparedRun,
  type MetricComparison,
  type ReferenceComparison,
} from "./reference/compare";
