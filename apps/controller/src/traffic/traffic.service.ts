import { Injectable } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { FerryError } from "../common/errors";
import { PrismaService } from "../database/prisma.service";
import type { IngestTraffic, TrafficQuery } from "./dto/traffic.dto";

/** A pair is stored once, with the smaller id first, whichever way it was reported. */
function ordered(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

@Injectable()
export class TrafficService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  /** All or nothing: a batch naming an unknown VM changes nothing. */
  async ingest(input: IngestTraffic, actor: string) {
    const ids = [...new Set(input.pairs.flatMap((p) => [p.vmA, p.vmB]))];
    return this.prisma.$transaction(async (tx) => {
      const found = new Set((await tx.vm.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((v) => v.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) throw new FerryError("VmNotFound", `unknown VMs: ${missing.join(", ")}`, { missing });
      const latest = new Map<string, number>();
      for (const p of input.pairs) latest.set(ordered(p.vmA, p.vmB).join(":"), p.rateMbps);
      const upserts = [...latest].filter(([, rate]) => rate > 0);
      const removals = [...latest].filter(([, rate]) => rate === 0).map(([key]) => key);
      // One statement each, however large the batch.
      if (upserts.length) {
        const a = upserts.map(([key]) => key.split(":")[0]!);
        const b = upserts.map(([key]) => key.split(":")[1]!);
        const rates = upserts.map(([, rate]) => rate);
        await tx.$executeRaw`
          INSERT INTO "Traffic" ("vmAId", "vmBId", "rateMbps", "updatedAt")
          SELECT unnest(${a}::uuid[]), unnest(${b}::uuid[]), unnest(${rates}::float8[]), now() AT TIME ZONE 'UTC'
          ON CONFLICT ("vmAId", "vmBId") DO UPDATE SET "rateMbps" = EXCLUDED."rateMbps", "updatedAt" = EXCLUDED."updatedAt"`;
      }
      const removed = removals.length
        ? await tx.$executeRaw`
            DELETE FROM "Traffic" WHERE ("vmAId"::text || ':' || "vmBId"::text) = ANY(${removals}::text[])`
        : 0;
      const upserted = upserts.length;
      await this.audit.record(tx, { actor, action: "traffic.ingested", targetType: "traffic", details: { upserted, removed } });
      return { upserted, removed };
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
    const more = rows.length > query.limit;
    const kept = more ? rows.slice(0, query.limit) : rows;
    const last = kept[kept.length - 1];
    return {
      items: kept.map((r) => ({ vmA: r.vmAId, vmB: r.vmBId, rateMbps: r.rateMbps, updatedAt: r.updatedAt.toISOString() })),
      nextCursor: more && last ? `${last.vmAId}:${last.vmBId}` : null,
    };
  }
}
