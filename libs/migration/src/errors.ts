/**
 * The library's one error type. `code` is stable so the apps can map it (the controller to an HTTP status, the
 * CLI to an exit code); `problems` names each bad field and why. Expected outcomes (a migration that does not
 * converge, no technique that meets an SLA, a cancelled run) are result values, never errors.
 */
export type MigrationErrorCode =
  /** The input is malformed: a missing field, a number out of range, an option the technique does not take. */
  "InvalidInput";

export interface FieldProblem {
  readonly field: string;
  readonly reason: string;
}

export class MigrationError extends Error {
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = "MigrationError";
  }
}
