import { Injectable, Logger } from "@nestjs/common";
import type { Role } from "../common/auth";
import { PrismaService, type Tx } from "../database/prisma.service";
import { RedisService } from "../redis/redis.module";
import { hashSecret, newSecret } from "./secrets";

export type Credential =
  | { kind: "operator"; id: string; name: string; role: Role }
  | { kind: "agent"; id: string; name: string; nodeId: string };

const AGENT_PREFIX = "ferry_agent";

/**
 * Looks up the credentials the controller issued, and issues agents theirs. PostgreSQL holds every credential
 * (hashed). Agents' are also kept in Redis, by hash, so that a heartbeat stays off PostgreSQL as it was before
 * credentials (and keeps working while PostgreSQL is away): an agent credential is looked up in Redis first,
 * and in PostgreSQL when Redis does not have it (Redis restarted empty), which puts it back.
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  private key(hash: string): string {
    return this.redis.key("agent-credential", hash);
  }

  /**
   * The live credential a secret opens, or null. No cache in the process: a revoked token or a replaced agent
   * credential is refused at once by every replica.
   */
  async find(secret: string): Promise<Credential | null> {
    const hash = hashSecret(secret);
    const agent = secret.startsWith(AGENT_PREFIX) ? await this.fromRedis(hash) : null;
    if (agent) return agent;
    const row = await this.prisma.apiToken.findUnique({ where: { secretHash: hash } });
    if (!row || row.revokedAt) return null;
    if (row.role !== "agent") return { kind: "operator", id: row.id, name: row.name, role: row.role };
    if (!row.nodeId) return null;
    await this.restore(hash, row.id, row.nodeId, row.name);
    return { kind: "agent", id: row.id, name: row.name, nodeId: row.nodeId };
  }

  /**
   * The agent credential Redis holds under `hash`, or null. A Redis error fails the request rather than falling
   * back to PostgreSQL: the heartbeat it carries could not be recorded anyway, and a fallback would put every
   * agent call on PostgreSQL for as long as the outage lasts.
   */
  private async fromRedis(hash: string): Promise<Credential | null> {
    const value = await this.redis.client.get(this.key(hash));
    if (!value) return null;
    const [id, nodeId, name] = JSON.parse(value) as [string, string, string];
    return { kind: "agent", id, nodeId, name };
  }

  /**
   * Put a credential read from PostgreSQL back into Redis, then read PostgreSQL again: if a registration
   * replaced it meanwhile (and removed it from Redis before this write), the write is undone.
   */
  private async restore(hash: string, id: string, nodeId: string, name: string): Promise<void> {
    try {
      await this.redis.client.set(this.key(hash), JSON.stringify([id, nodeId, name]));
      if (!(await this.prisma.apiToken.findUnique({ where: { secretHash: hash }, select: { id: true } }))) await this.redis.client.del(this.key(hash));
    } catch (e) {
      this.logger.warn(`agent credential of ${name} not put back in Redis: ${e instanceof Error ? e.message : e}`);
    }
  }

  /**
   * A new credential for a node's agent, replacing the node's previous one (an agent that restarts registers
   * again, and what its old process still has in flight is refused from here on). The caller holds the node's
   * row lock, so two registrations at once leave one credential; it calls `forget` with `replaced` after commit.
   * The old credentials leave Redis before the transaction commits: when Redis cannot remove them, the
   * registration fails and the old credential stays the node's.
   */
  async issueAgent(tx: Tx, node: { id: string; name: string }): Promise<{ secret: string; replaced: string[] }> {
    const secret = newSecret(AGENT_PREFIX);
    const old = await tx.apiToken.findMany({ where: { nodeId: node.id }, select: { secretHash: true } });
    const replaced = old.map((o) => o.secretHash);
    await tx.apiToken.deleteMany({ where: { nodeId: node.id } });
    const row = await tx.apiToken.create({
      data: { name: `agent:${node.name}`, role: "agent", nodeId: node.id, secretHash: hashSecret(secret), createdBy: "agent-registration" },
    });
    await this.forget(replaced);
    await this.redis.client.set(this.key(row.secretHash), JSON.stringify([row.id, node.id, row.name]));
    return { secret, replaced };
  }

  /** Remove replaced agent credentials from Redis (again, after commit: a lookup may have put one back). */
  async forget(hashes: string[]): Promise<void> {
    if (hashes.length) await this.redis.client.del(...hashes.map((h) => this.key(h)));
  }
}
