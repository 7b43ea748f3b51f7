import { CanActivate, ExecutionContext, Inject, Injectable } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import type { Response } from "express";
import { ACCESS, Access, AuthedRequest, Caller, ROLES, Role, sameToken } from "../common/auth";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError } from "../common/errors";
import { HeartbeatBuffer } from "../nodes/heartbeat-buffer";
import { CredentialsService } from "./credentials.service";
import { RateLimiter } from "./rate-limiter";

const rank = (role: Role) => ROLES.indexOf(role);

/**
 * The one guard: finds who the bearer token belongs to, checks it against the access the route declares
 * (common/auth.ts), and takes the request from the token's rate limit. Unknown or revoked token: 401; a
 * token that may not call the route: 403; over its rate: 429 with Retry-After.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly limiter: RateLimiter,
    private readonly heartbeats: HeartbeatBuffer,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]) ?? "admin";
    if (access === "public") return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? "");
    if (!match) throw new FerryError("Unauthorized", "missing bearer token: send 'Authorization: Bearer <token>'");
    const caller = await this.identify(match[1]!, access, request.headers["x-ferry-actor"]).catch((e: unknown) => {
      // An agent credential is read from Redis: when Redis cannot answer, the agent's heartbeat would not have
      // been recorded either, and liveness must know it (see HeartbeatBuffer.record).
      if (access === "agent" && !(e instanceof FerryError)) this.heartbeats.unrecorded();
      throw e;
    });
    this.authorize(caller, access);
    if (caller.kind === "operator") await this.limit(caller, context.switchToHttp().getResponse<Response>());
    request.caller = caller;
    return true;
  }

  private async identify(token: string, access: Access, actor: unknown): Promise<Caller> {
    if (sameToken(token, this.config.adminToken)) {
      const named = typeof actor === "string" && actor.length > 0 && actor.length <= 100 ? actor : undefined;
      return { kind: "operator", role: "admin", name: named ? `admin:${named}` : "admin", tokenId: null };
    }
    if (access === "agent-registration" && sameToken(token, this.config.agentBootstrapToken)) return { kind: "bootstrap", name: "agent-bootstrap" };
    const credential = await this.credentials.find(token);
    if (!credential) throw new FerryError("Unauthorized", "unknown or revoked token");
    return credential.kind === "agent"
      ? { kind: "agent", nodeId: credential.nodeId, name: credential.name }
      : { kind: "operator", role: credential.role, name: credential.name, tokenId: credential.id };
  }

  private authorize(caller: Caller, access: Exclude<Access, "public">): void {
    if (access === "agent-registration") {
      if (caller.kind === "bootstrap" || (caller.kind === "operator" && caller.tokenId === null)) return;
      throw new FerryError("Forbidden", "agents register with the agent bootstrap token");
    }
    if (access === "agent") {
      if (caller.kind === "agent") return;
      throw new FerryError("Forbidden", "agent routes take only an agent's own credential, which names its node");
    }
    if (caller.kind !== "operator") throw new FerryError("Forbidden", "an agent credential opens only agent routes");
    if (rank(caller.role) < rank(access)) {
      throw new FerryError("Forbidden", `this route needs the ${access} role; the token has ${caller.role}`, { role: caller.role, needs: access });
    }
  }

  private async limit(caller: Extract<Caller, { kind: "operator" }>, response: Response): Promise<void> {
    const decision = await this.limiter.take(caller.tokenId ?? "root");
    if (decision.allowed) return;
    response.setHeader("Retry-After", String(decision.retryAfterS));
    throw new FerryError("RateLimited", `too many requests with this token: retry in ${decision.retryAfterS} s`, { retryAfterS: decision.retryAfterS });
  }
}
