/**
 * Domain errors: a stable code, a message for humans and optional details. Services throw these (never
 * HttpException), so the same service works from a controller, a scheduled job or a queue processor;
 * domain-error.filter.ts is the one table that turns codes into HTTP statuses.
 */
export const ERROR_CODES = [
  "ValidationFailed",
  "Unauthorized",
  "NodeNotFound",
  "VmNotFound",
  "MigrationNotFound",
  "PlanNotFound",
  "PolicyNotFound",
  "RouteNotFound",
  "NameTaken",
  "CapacityExceeded",
  "NoFeasibleNode",
  "NodeNotSchedulable",
  "VmNotMigratable",
  "MigrationInProgress",
  "SlaUnattainable",
  "InvalidTransition",
  "PlanStale",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldProblem {
  field: string;
  reason: string;
}

export class FerryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = code;
  }
}

export const notFound = (code: "NodeNotFound" | "VmNotFound" | "MigrationNotFound" | "PlanNotFound", id: string) =>
  new FerryError(code, `${code.replace("NotFound", "").toLowerCase()} ${id} does not exist`, { id });
