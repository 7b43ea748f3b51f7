import { ExecutionContext, SetMetadata, createParamDecorator } from "@nestjs/common";
import type { Request } from "express";
import { timingSafeEqual } from "node:crypto";
import { FerryError } from "./errors";

/** Operator roles, each allowed what the one before it is: viewer reads, operator moves VMs, admin configures. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who may call a route, declared once per route (or controller) and enforced by the one guard (auth/token.guard.ts):
 * an operator role; `agent` routes take only an agent's own credential (which names its node);
 * `agent-registration` takes the agent bootstrap token (or the root admin token); `public` takes none.
 * A route that declares nothing needs `admin`.
 */
export type Access = Role | "agent" | "agent-registration" | "public";
export const ACCESS = "ferry:access";

export const Public = () => SetMetadata(ACCESS, "public" satisfies Access);
export const AgentRegistration = () => SetMetadata(ACCESS, "agent-registration" satisfies Access);
export const AgentAccess = () => SetMetadata(ACCESS, "agent" satisfies Access);
export const RequiresRole = (role: Role) => SetMetadata(ACCESS, role satisfies Access);

export type Caller =
  /** `name` is what the audit log records: the token's name, or for the root admin token `admin[:X-Ferry-Actor]`. */
  | { kind: "operator"; role: Role; name: string; tokenId: string | null }
  /** An agent's credential: it acts for `nodeId` only. */
  | { kind: "agent"; nodeId: string; name: string }
  | { kind: "bootstrap"; name: string };

export type AuthedRequest = Request & { caller?: Caller };

/** Compares tokens in constant time. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The authenticated caller, for the audit log. */
export const CallerOf = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<AuthedRequest>();
  return request.caller ?? { kind: "operator", role: "viewer", name: "unknown", tokenId: null };
});

/** The node an agent's credential names: on `agent` routes, the only node the caller may act for. */
export const AgentNode = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const caller = context.switchToHttp().getRequest<AuthedRequest>().caller;
  if (caller?.kind !== "agent") throw new FerryError("Forbidden", "only an agent's own credential acts for a node");
  return caller.nodeId;
});

/** Refuses an agent's request about another node than its credential's. */
export function actingFor(node: string, claimed: string): string {
  if (claimed !== node) throw new FerryError("Forbidden", `this credential acts for node ${node}, not ${claimed}`, { nodeId: claimed });
  return node;
}
