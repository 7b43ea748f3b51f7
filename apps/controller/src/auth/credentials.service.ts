import { Injectable } from "@nestjs/common";
import type { Role } from "../common/auth";
import { PrismaService, type Tx } from "../database/prisma.service";
import { hashSecret, newSecret } from "./secrets";

export type Credential =
  | { kind: "operator"; id: string; name: string; role: Role }
  | { kind: "agent"; id: string; name: string; nodeId: string };

/** Looks up the credentials the controller issued, and issues agents theirs. */
@Injectable()
export class CredentialsService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The live credential a secret opens, or null. One indexed lookup per request, with no cache, so a revoked
   * token or a replaced agent credential is refused at once by every replica.
   */
  async find(secret: string): Promise<Credential | null> {
    const row = await this.prisma.apiToken.findUnique({ where: { secretHash: hashSecret(secret) } });
    if (!row || row.revokedAt) return null;
    if (row.role === "agent") return row.nodeId ? { kind: "agent", id: row.id, name: row.name, nodeId: row.nodeId } : null;
    return { kind: "operator", id: row.id, name: row.name, role: row.role };
  }

  /**
   * A new credential for a node's agent, replacing the node's previous one (an agent that restarts registers
   * again, and what its old process still has in flight is refused from here on). The caller holds the
   * node's row lock, so two registrations at once leave one credential.
   */
  async issueAgent(tx: Tx, node: { id: string; name: string }): Promise<string> {
    const secret = newSecret("ferry_agent");
    await tx.apiToken.deleteMany({ where: { nodeId: node.id } });
    await tx.apiToken.create({
      data: { name: `agent:${node.name}`, role: "agent", nodeId: node.id, secretHash: hashSecret(secret), createdBy: "agent-registration" },
    });
    return secret;
  }
}
