import { Inject, Injectable } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { notFound } from "../common/errors";
import { pageArgs, toPage } from "../common/pagination";
import { PrismaService } from "../database/prisma.service";
import type { Migration, Prisma } from "../generated/prisma/client";
import type { EventQuery, MigrationQuery } from "./dto/migration.dto";
import { liveProgress } from "./live-progress";
import { migrationView } from "./migration.view";

/** What the API shows of migrations: lists, one migration with its live progress, its events and SLA breaches. */
@Injectable()
export class MigrationQueries {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(query: MigrationQuery) {
    const where: Prisma.MigrationWhereInput = {
      state: query.state,
      vmId: query.vmId,
      ...(query.nodeId ? { OR: [{ sourceNodeId: query.nodeId }, { targetNodeId: query.nodeId }] } : {}),
    };
    const rows = await this.prisma.migration.findMany({
      where,
      orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
      ...pageArgs(query),
    });
    return toPage(rows, query, migrationView);
  }

  /** A migration; while it runs, with its live progress (rates, ETA, stall) from its latest events. */
  async get(id: string) {
    const m = await this.find(id);
    return { ...migrationView(m), live: m.state === "running" ? await this.live(id) : null };
  }

  async live(id: string) {
    const recent = await this.prisma.migrationEvent.findMany({ where: { migrationId: id }, orderBy: { id: "desc" }, take: 10 });
    return liveProgress(recent.reverse(), this.clock.now().getTime());
  }

  /** Progress events, oldest first, paged by event id. */
  async events(id: string, query: EventQuery) {
    await this.find(id);
    const rows = await this.prisma.migrationEvent.findMany({
      where: { migrationId: id, ...(query.cursor ? { id: { gt: BigInt(query.cursor) } } : {}) },
      orderBy: { id: "asc" },
      take: query.limit + 1,
    });
    return toPage(
      rows,
      query,
      (e) => ({
        at: e.at.toISOString(),
        phase: e.phase,
        round: e.round,
        progress: e.progress,
        bytesSent: e.bytesSent === null ? null : Number(e.bytesSent),
        pagesRemaining: e.pagesRemaining === null ? null : Number(e.pagesRemaining),
        etaMs: e.etaMs,
        message: e.message,
      }),
      (e) => e.id.toString(),
    );
  }

  async find(id: string): Promise<Migration> {
    const m = await this.prisma.migration.findUnique({ where: { id } });
    if (!m) throw notFound("MigrationNotFound", id);
    return m;
  }

  async slaBreaches(id: string) {
    await this.find(id);
    const rows = await this.prisma.slaBreach.findMany({ where: { migrationId: id }, orderBy: { id: "asc" } });
    return {
      items: rows.map((b) => ({ kind: b.kind, limitMs: b.limitMs, actualMs: b.actualMs, reportedBy: b.reportedBy, at: b.at.toISOString() })),
      nextCursor: null,
    };
  }
}
