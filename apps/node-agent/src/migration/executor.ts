import type { ClaimedMigration, ImageDigest, MigrationMetrics, ProgressReport } from "@ferry/protocol";

export interface ExecutionHooks {
  /** Report progress. The runner forwards it to the controller (throttled) and aborts `signal` when told to stop. */
  progress(report: ProgressReport): Promise<void>;
  /**
   * The commit point: called once, right before the VM is switched over to the target. It asks the controller
   * whether to go on; when the migration was cancelled meanwhile, `signal` is aborted on return and the
   * executor must resume the VM on its source. After this point a migration can no longer be cancelled.
   */
  beforeSwitchover(report: ProgressReport): Promise<void>;
  /** Aborted when the operator cancels, the controller ended the migration, or the agent shuts down. */
  signal: AbortSignal;
  /**
   * Registers what the executor does when the scheduler gives the migration a new bandwidth share (Mbit/s,
   * heard in a progress answer): the links are re-shared as migrations start and end, and the source's rate
   * follows.
   */
  onShare(listener: (mbps: number) => void): void;
}

export interface ExecutionResult {
  metrics: MigrationMetrics;
  bytesTransferred: number;
  /** SHA-256 of the guest's image on each side, taken while the guest was paused (real transfers). */
  imageDigest?: ImageDigest;
  /**
   * Called once the controller has answered the completion: `true` when it recorded it (the target now owns the
   * VM, the source lets go of it), `false` when it refused (its record says the source: where the target has not
   * started the VM yet, the source resumes it).
   */
  settle?(recorded: boolean): Promise<void>;
}

/**
 * Carries out one migration as its source. `run` resolves once the VM runs on the target, and rejects
 * (leaving the VM on its source) when it fails or is aborted before the switchover.
 */
export interface MigrationExecutor {
  run(migration: ClaimedMigration, hooks: ExecutionHooks): Promise<ExecutionResult>;
}

export const MIGRATION_EXECUTOR = Symbol("MigrationExecutor");

/**
 * The executor failed after the go-ahead but knows for certain that the VM still runs on its source (the target
 * never started it): the failure can be reported like one before the commit point.
 */
export class VmStaysOnSource extends Error {
  constructor(
    reason: string,
    readonly imageDigest?: ImageDigest,
  ) {
    super(reason);
    this.name = "VmStaysOnSource";
  }
}

export class MigrationAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "MigrationAborted";
  }
}
