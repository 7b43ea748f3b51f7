/**
 * @ferry/migration: live-migration techniques over a pluggable transport, a page-accurate simulator, the six
 * metrics, a closed-form predictor and a technique chooser. Nothing else is imported from outside the library.
 */

// Running a (simulated) migration: what the node agent calls.
export { runMigration, type RunOptions } from "./simulator/simulate";
export { createInstantClock, createPacedClock, type Clock, type PacedClockOptions, type SimulatedClock } from "./simulator/clock";
export { LinkModel, mbpsToBytesPerMs, type LinkSpec, type ShareChange } from "./transport/link-model";
export { MetricsRecorder, sixMetrics, type MigrationMetrics, type MigrationResult, type PhaseMarks } from "./metrics";

// Pricing and choosing a migration: what the controller calls.
export { predict, type Prediction, type PredictionInput } from "./predictor/predict";
export {
  chooseTechnique,
  DEFAULT_CANDIDATES,
  labelOf,
  type CandidateVerdict,
  type ChooseOptions,
  type Sla,
  type TechniqueChoice,
} from "./choose-technique";

// Inputs, their validation and defaults.
export {
  linkSchema,
  migrationInputSchema,
  resolveInput,
  resolveTechnique,
  TECHNIQUE_NAMES,
  techniqueSchema,
  vmSchema,
  workloadSchema,
  type HybridOptions,
  type LinkSpecInput,
  type MigrationInput,
  type PostCopyOptions,
  type PreCopyOptions,
  type Prepaging,
  type ResolvedInput,
  type ResolvedTechnique,
  type TechniqueName,
  type TechniqueSpec,
  type VmSpec,
  type WorkloadSpec,
} from "./spec";
export { buildLocality, formatLocality, parseLocality } from "./workload/registry";
export { PagePicker } from "./workload/page-picker";
export type { LocalitySpec } from "./workload/locality";
export { MigrationError, type FieldProblem, type MigrationErrorCode } from "./errors";

// Plugging in a real transport or a real VM: the interfaces techniques talk to, and the way to run one.
export { runTechnique } from "./techniques/registry";
export type {
  ByteContent,
  MigrationContext,
  ModelledContent,
  PageContent,
  Phase,
  ProgressEvent,
  ProgressObserver,
  RunRecorder,
  SourceVm,
  StopReason,
  TargetVm,
  Technique,
  TechniqueOutcome,
  TimelineEntry,
} from "./techniques/technique";
export {
  forEachBatchPage,
  type BitmapBatch,
  type ListBatch,
  type PageBatch,
  type SendReceipt,
  type Transport,
  type TransportStats,
} from "./transport/transport";
export { PageSet } from "./simulator/page-set";
export { xbzrleDecode, xbzrleEncode } from "./techniques/xbzrle";
