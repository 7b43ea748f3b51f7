/**
 * The library's one error type. `code` is stable so the controller can map it to an HTTP status in its single
 * error table; messages name the field or object that is wrong. Expected "no" answers (a host rejected, a VM with
 * no feasible host during one-VM placement) are result values, never errors.
 */
export type PlacementErrorCode =
  /** The input is malformed: a missing field, a bad number, an unknown id, a matrix of the wrong shape. */
  | "InvalidProblem"
  /** The input is well formed but no feasible placement exists (or none was found: see the message). */
  | "Infeasible";

export class PlacementError extends Error {
  constructor(
    readonly code: PlacementErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PlacementError";
  }
}
