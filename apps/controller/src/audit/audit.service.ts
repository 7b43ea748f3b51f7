import { Injectable } from "@nestjs/common";
import { afterCommit } from "../database/after-commit";
import type { Tx } from "../database/prisma.service";
import { PrismaService } from "../database/prisma.service";
import { Prisma } from "../generated/prisma/client";
import { CHANGE_KINDS, ChangeFeed, type ChangeKind } from "../events/change-feed";

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: "node" | "vm" | "migration" | "traffic" | "plan" | "policy" | "scheduler" | "token";
  targetId?: string;
  details?: Record<string, unknown>;
}

const isChangeKind = (t: string): t is ChangeKind => (CHANGE_KINDS as readonly string[]).includes(t);

/**
 * Append-only log of every change an operator (or the system on its behalf) makes. Each entry about a node,
 * VM, migration, plan or policy is also published to the change feed (/api/v1/events) once it has committed.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly feed: ChangeFeed,
  ) {}

  /** Record inside the caller's transaction, so the change and its audit entry commit together. */
  async record(tx: Tx, entry: AuditEntry): Promise<void> {
    await tx.auditLog.create({
      data: {
        actor: entry.actor,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        details: (entry.details ?? {}) as Prisma.InputJsonValue,
      },
    });
    const kind = entry.targetType;
    if (isChangeKind(kind) && entry.targetId) {
      const type = entry.action.startsWith(`${kind}.`) ? entry.action.slice(kind.length + 1) : entry.action;
      afterCommit(tx, () => void this.feed.publish(kind, entry.targetId!, type, { actor: entry.actor, ...entry.details }));
    }
  }

  async list(filter: { targetType?: string; targetId?: string; limit: number; cursor?: string }) {
    return this.prisma.auditLog.findMany({
      where: { targetType: filter.targetType, targetId: filter.targetId },
      orderBy: { id: "desc" },
      take: filter.limit + 1,
      ...(filter.cursor ? { cursor: { id: BigInt(filter.cursor) }, skip: 1 } : {}),
    });
  }
}
