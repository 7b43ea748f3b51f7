/**
 * @ferry/scheduler: decides which queued migrations start now, each with the bandwidth share it will get on the
 * fabric and its prediction at that share, and why every other one waits. Pure: the cluster in, decisions out.
 */
export { schedule } from "./schedule";
export type {
  BlockedMove,
  BlockReason,
  LinkDefaults,
  MigratingVm,
  MoveClass,
  Resources,
  RunningMigration,
  RunningShare,
  ScheduleInput,
  ScheduleResult,
  SchedulerLimits,
  SchedulerNode,
  SchedulerOptions,
  SharePrediction,
  StartDecision,
  WaitingMove,
} from "./model";
export { BLOCK_REASONS } from "./model";
export { DEFAULT_LIMITS, DEFAULT_LINKS, resolveOptions, type ResolvedOptions } from "./limits";
export { CLASS_RANK, MAX_AGED_RANK, effectiveRank, isStarving } from "./priority";
export { LINK_LABELS, buildFabric, type Fabric } from "./links";
export { maxMinShares, type Flow, type FlowShare } from "./max-min-share";
export { predictAtShare, roughDurationMs, defaultSla, DEFAULT_MAX_DOWNTIME_MS, DEFAULT_TOTAL_MS_PER_GIB } from "./predict-at-share";
export { ClusterLedger, type Check, type LedgerMove } from "./cluster-ledger";
export { stronglyConnected } from "./cycles";
export {
  progressOf,
  planProgressOf,
  DEFAULT_STALL_RULES,
  type ProgressSample,
  type ProgressView,
  type PlanProgressView,
  type PlanStep,
  type StallRules,
} from "./progress";
