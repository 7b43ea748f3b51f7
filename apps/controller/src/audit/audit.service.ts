import { Injectable } from "@nestjs/common";
import type { Tx } from "../database/prisma.service";
import { PrismaService } from "../database/prisma.service";
import { Prisma } from "../generated/prisma/client";

export interface AuditEntry {
  actor: string;
  action: string;
  targetType: "node" | "vm" | "migration" | "traffic" | "plan" | "policy" | "scheduler" | "token";
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Append-only log of every change an operator (or the system on its behalf) makes. */
@Injectable()
export class AuditService {
  constructor(private readonly prisma: PrismaService) {}

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
