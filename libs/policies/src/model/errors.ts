/**
 * The library's one error type. Expected "no" answers (no target host, detector says fine) are values,
 * not exceptions; a PoliciesError means bad input (a malformed trace, an unknown policy, a plan that does
 * not match the cluster) and carries a stable code so callers can map it without parsing messages.
 */
export type PoliciesErrorCode =
  | "TraceNotFound"
  | "TraceEmpty"
  | "TraceMalformed"
  | "UnknownPolicy"
  | "InvalidParameter"
  | "InvalidSnapshot"
  | "InvalidPlan";

export class PoliciesError extends Error {
  constructor(
    readonly code: PoliciesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PoliciesError";
  }
}
