import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import { timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import { CONTROLLER_CONFIG, ControllerConfig } from "./config";
import { FerryError } from "./errors";

/**
 * Who may call a route. `admin` routes take only the admin token; `agent` routes (registration, heartbeats,
 * migration reports) take the agent token or the admin token; `public` routes (health, metrics, docs) take none.
 * Full roles come later; until then the caller's role is the token it presents.
 */
export type Access = "admin" | "agent" | "public";
const ACCESS = "ferry:access";

export const Public = () => SetMetadata(ACCESS, "public" satisfies Access);
export const AgentAccess = () => SetMetadata(ACCESS, "agent" satisfies Access);

export interface Caller {
  role: "admin" | "agent";
  /** Name recorded in the audit log: the role, with `X-Ferry-Actor` (an operator's or agent's name) when sent. */
  name: string;
}

type AuthedRequest = Request & { caller?: Caller };

/** Compares tokens in constant time. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const access =
      this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]) ?? "admin";
    if (access === "public") return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? "");
    if (!match) throw new FerryError("Unauthorized", "missing bearer token: send 'Authorization: Bearer <token>'");
    const token = match[1]!;
    const actor = request.headers["x-ferry-actor"];
    const named = typeof actor === "string" && actor.length > 0 && actor.length <= 100 ? actor : undefined;
    if (sameToken(token, this.config.adminToken)) {
      request.caller = { role: "admin", name: named ? `admin:${named}` : "admin" };
      return true;
    }
    if (access === "agent" && sameToken(token, this.config.agentToken)) {
      request.caller = { role: "agent", name: named ? `agent:${named}` : "agent" };
      return true;
    }
    throw new FerryError("Unauthorized", "invalid token");
  }
}

/** The authenticated caller, for the audit log. */
export const CallerOf = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<AuthedRequest>();
  return request.caller ?? { role: "admin", name: "unknown" };
});
