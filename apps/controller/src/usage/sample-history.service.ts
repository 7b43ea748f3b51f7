import { Inject, Injectable } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { FerryError, notFound } from "../common/errors";
import { PrismaService } from "../database/prisma.service";
import { Prisma } from "../generated/prisma/client";
import type { SamplesQuery } from "./dto/samples-query.dto";
import { SampleRange, resolveRange } from "./sample-range";
import { epochMs, utc } from "./sql-time";

/**
 * The history routes: a node's or a VM's samples in [from, to), averaged per bucket of `step` seconds from
 * `from` on. Buckets without a sample are left out; each point says how many samples it averages.
 */
@Injectable()
export class SampleHistoryService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async node(id: string, query: SamplesQuery) {
    const range = this.range(query);
    if (!(await this.prisma.node.findUnique({ where: { id }, select: { id: true } }))) throw notFound("NodeNotFound", id);
    const rows = await this.prisma.$queryRaw<
      { bucket: number; samples: number; cpuLoad: number; memLoad: number; watts: number; netTxMbps: number; netRxMbps: number }[]
    >`
      SELECT ${bucket(range)} AS bucket, count(*)::int AS samples,
             avg("cpuLoad") AS "cpuLoad", avg("memLoad") AS "memLoad", avg(watts) AS watts,
             avg("netTxMbps") AS "netTxMbps", avg("netRxMbps") AS "netRxMbps"
        FROM "NodeSample"
       WHERE "nodeId" = ${id}::uuid AND at >= ${utc(range.fromMs)} AND at < ${utc(range.toMs)}
       GROUP BY 1 ORDER BY 1`;
    return {
      nodeId: id,
      ...rangeView(range),
      points: rows.map(({ bucket, ...avg }) => ({ at: bucketStart(range, bucket), ...avg })),
    };
  }

  async vm(id: string, query: SamplesQuery) {
    const range = this.range(query);
    if (!(await this.prisma.vm.findUnique({ where: { id }, select: { id: true } }))) throw notFound("VmNotFound", id);
    const where = Prisma.sql`s."vmId" = ${id}::uuid AND s.at >= ${utc(range.fromMs)} AND s.at < ${utc(range.toMs)}`;
    const [rows, sent] = await Promise.all([
      this.prisma.$queryRaw<
        { bucket: number; samples: number; nodeIds: string[]; cpuFraction: number; memUsedMiB: number; dirtyRateMiBps: number }[]
      >`
        SELECT ${bucket(range, Prisma.sql`s.at`)} AS bucket, count(*)::int AS samples,
               array_agg(DISTINCT s."nodeId"::text) AS "nodeIds",
               avg(s."cpuFraction") AS "cpuFraction", avg(s."memUsedMiB") AS "memUsedMiB", avg(s."dirtyRateMiBps") AS "dirtyRateMiBps"
          FROM "VmSample" s WHERE ${where}
         GROUP BY 1 ORDER BY 1`,
      this.prisma.$queryRaw<{ bucket: number; peer: string; total: number }[]>`
        SELECT ${bucket(range, Prisma.sql`s.at`)} AS bucket, p.key AS peer, sum(p.value::float8) AS total
          FROM "VmSample" s CROSS JOIN LATERAL jsonb_each_text(s."peerTxMbps") AS p
         WHERE ${where}
         GROUP BY 1, 2`,
    ]);
    const points = rows.map(({ bucket, ...avg }) => ({ at: bucketStart(range, bucket), ...avg, peerTxMbps: {} as Record<string, number> }));
    const byBucket = new Map(rows.map((r, i) => [r.bucket, { samples: r.samples, point: points[i]! }]));
    // A sample without traffic to a peer sent it nothing: average over all the bucket's samples.
    for (const s of sent) {
      const b = byBucket.get(s.bucket);
      if (b) b.point.peerTxMbps[s.peer] = s.total / b.samples;
    }
    return { vmId: id, ...rangeView(range), points };
  }

  private range(query: SamplesQuery): SampleRange {
    const r = resolveRange(query, this.clock.now().getTime());
    if (!r.ok) throw new FerryError("ValidationFailed", r.problems.map((p) => `${p.field}: ${p.reason}`).join("; "), r.problems);
    return r.range;
  }
}

function bucket(range: SampleRange, column = Prisma.sql`at`) {
  return Prisma.sql`floor((${epochMs(column)} - ${range.fromMs}::float8) / ${range.stepS * 1000}::float8)::int`;
}

function bucketStart(range: SampleRange, bucket: number): string {
  return new Date(range.fromMs + bucket * range.stepS * 1000).toISOString();
}

function rangeView(range: SampleRange) {
  return { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), stepS: range.stepS };
}
