import { Injectable } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { toPage } from "../common/pagination";
import { PrismaService } from "../database/prisma.service";
import type { IngestTraffic, TrafficQuery } from "./dto/traffic.dto";
import { requireVms, storeRates } from "./traffic-store";

@Injectable()
export class TrafficService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  /** All or nothing: a batch naming an unknown VM changes nothing. */
  async ingest(input: IngestTraffic, actor: string) {
    return this.prisma.$transaction(async (tx) => {
      await requireVms(tx, input.pairs.flatMap((p) => [p.vmA, p.vmB]));
      const stored = await storeRates(tx, input.pairs);
      await this.audit.record(tx, { actor, action: "traffic.ingested", targetType: "traffic", details: stored });
      return stored;
    });
  }

  async list(query: TrafficQuery) {
    const [a, b] = query.cursor ? (query.cursor.split(":") as [string, string]) : [];
    const rows = await this.prisma.traffic.findMany({
      where: query.vmId ? { OR: [{ vmAId: query.vmId }, { vmBId: query.vmId }] } : {},
      orderBy: [{ vmAId: "asc" }, { vmBId: "asc" }],
      take: query.limit + 1,
      ...(a && b ? { cursor: { vmAId_vmBId: { vmAId: a, vmBId: b } }, skip: 1 } : {}),
    });
    return toPage(
      rows,
      query,
      (r) => ({ vmA: r.vmAId, vmB: r.vmBId, rateMbps: r.rateMbps, updatedAt: r.updatedAt.toISOString() }),
      (r) => `${r.vmAId}:${r.vmBId}`,
    );
  }
}
