import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./api";

export type { components, operations, paths } from "./api";

type Schemas = components["schemas"];
/** The error body every 4xx/5xx answer carries. */
export type ApiErrorBody = Schemas["Error"];
export type Node = Schemas["Node"];
export type Vm = Schemas["Vm"];
export type Migration = Schemas["Migration"];
export type MigrationDetail = Schemas["MigrationDetail"];
export type Plan = Schemas["PlanPage"]["items"][number];
export type PlanDetail = Schemas["PlanDetail"];
export type Policy = Schemas["Policy"];
export type Token = Schemas["Token"];

export type FerryClient = Client<paths>;

export interface FerryClientOptions {
  /** The controller's root, e.g. http://localhost:3000 (the paths carry /api/v1). */
  baseUrl: string;
  /** Bearer token; omitted for the open routes. */
  token?: string;
  /** Names the caller in the audit log (X-Ferry-Actor). */
  actor?: string;
  fetch?: typeof globalThis.fetch;
}

/** A client whose paths, parameters and bodies are checked against the controller's OpenAPI document. */
export function createFerryClient(options: FerryClientOptions): FerryClient {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.actor) headers["X-Ferry-Actor"] = options.actor;
  return createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ""), headers, ...(options.fetch ? { fetch: options.fetch } : {}) });
}

/** An answer the API refused, with its status and error body. */
export class FerryApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = body.error;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === "object" && value !== null && "message" in value && "error" in value;
}

/** The data of a successful answer; a refused one throws FerryApiError. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  const body = isErrorBody(result.error)
    ? result.error
    : { statusCode: result.response.status, error: result.response.statusText || "HttpError", message: `HTTP ${result.response.status}` };
  throw new FerryApiError(result.response.status, body);
}

export { parseSse, streamEvents, type ChangeEvent, type ChangeKind, type EventStreamOptions } from "./events";
