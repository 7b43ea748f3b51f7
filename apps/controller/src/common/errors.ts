import { MigrationError, type MigrationErrorCode } from "@ferry/migration";
import { PlacementError, type PlacementErrorCode } from "@ferry/placement";

/**
 * Domain errors: a stable code, a message for humans and optional details. Services throw these (never
 * HttpException), so the same service works from a controller, a scheduled job or a queue processor;
 * domain-error.filter.ts is the one table that turns codes into HTTP statuses.
 */
export const ERROR_CODES = [
  "ValidationFailed",
  "Unauthorized",
  "Forbidden",
  "RateLimited",
  "NodeNotFound",
  "VmNotFound",
  "MigrationNotFound",
  "PlanNotFound",
  "PolicyNotFound",
  "TokenNotFound",
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
  "PlanFailed",
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

export const notFound = (code: "NodeNotFound" | "VmNotFound" | "MigrationNotFound" | "PlanNotFound" | "TokenNotFound", id: string) =>
  new FerryError(code, `${code.replace("NotFound", "").toLowerCase()} ${id} does not exist`, { id });

/**
 * The pure libraries' error codes as domain errors, so that they reach the one status table: the libraries
 * throw only on input they cannot take, which here means input the API let through.
 */
const LIBRARY_CODES: Record<PlacementErrorCode | MigrationErrorCode, ErrorCode> = {
  InvalidProblem: "ValidationFailed",
  Infeasible: "NoFeasibleNode",
  InvalidInput: "ValidationFailed",
};

/** A library error as a domain error; undefined for anything else. */
export function fromLibraryError(e: unknown): FerryError | undefined {
  if (e instanceof PlacementError) return new FerryError(LIBRARY_CODES[e.code], e.message);
  if (e instanceof MigrationError) return new FerryError(LIBRARY_CODES[e.code], e.message, e.problems.length ? e.problems : undefined);
  return undefined;
}
