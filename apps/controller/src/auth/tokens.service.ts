import { Injectable } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { FerryError, notFound } from "../common/errors";
import { PrismaService } from "../database/prisma.service";
import { Prisma, type ApiToken } from "../generated/prisma/client";
import type { z } from "zod";
import type { tokenSchema } from "./dto/token.answer";
import type { CreateToken } from "./dto/token.dto";
import { hashSecret, newSecret } from "./secrets";

/** An operator token as the API shows it: never its secret, which only the answer to its creation carries. */
function tokenView(t: ApiToken): z.infer<typeof tokenSchema> {
  // The queries below select operator tokens (no node); an agent's credential reaching here is a bug, not a row to show.
  if (t.role === "agent") throw new Error(`token ${t.id} is an agent credential, not an operator token`);
  return { id: t.id, name: t.name, role: t.role, createdBy: t.createdBy, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null };
}

/** Operator tokens: created with a role, listed, revoked; each change audited under the acting token's name. */
@Injectable()
export class TokensService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreateToken, actor: string) {
    const secret = newSecret("ferry_op");
    try {
      const token = await this.prisma.$transaction(async (tx) => {
        const created = await tx.apiToken.create({ data: { name: input.name, role: input.role, secretHash: hashSecret(secret), createdBy: actor } });
        await this.audit.record(tx, { actor, action: "token.created", targetType: "token", targetId: created.id, details: { name: input.name, role: input.role } });
        return created;
      });
      return { ...tokenView(token), token: secret };
    } catch (e) {
      // The partial unique index on the names of unrevoked tokens.
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
        throw new FerryError("NameTaken", `a token named ${input.name} already exists`, [{ field: "name", reason: "already taken by an unrevoked token" }]);
      }
      throw e;
    }
  }

  /** Every operator token, newest first, revoked ones included (agents' credentials are not listed). */
  async list() {
    const rows = await this.prisma.apiToken.findMany({ where: { nodeId: null }, orderBy: { createdAt: "desc" } });
    return { items: rows.map(tokenView) };
  }

  /** Revoke a token: from the next request on, every replica refuses it. Revoking twice changes nothing. */
  async revoke(id: string, actor: string) {
    const token = await this.prisma.$transaction(async (tx) => {
      const current = await tx.apiToken.findFirst({ where: { id, nodeId: null } });
      if (!current) throw notFound("TokenNotFound", id);
      if (current.revokedAt) return current;
      const revoked = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
      await this.audit.record(tx, { actor, action: "token.revoked", targetType: "token", targetId: id, details: { name: current.name, role: current.role } });
      return revoked;
    });
    return tokenView(token);
  }
}
