import { Inject, Injectable } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { FerryError, FieldProblem } from "../common/errors";
import { PrismaService } from "../database/prisma.service";
import { Prisma } from "../generated/prisma/client";
import { HeartbeatBuffer } from "../nodes/heartbeat-buffer";
import { epochMs, utc } from "./sql-time";
import { intervalSeries, pairTraffic } from "./usage-series";

/** What a policy asks for: averages over a window, and optionally the utilisation history before it. */
export interface UsageQuery {
  /** Averages cover the samples in [now - windowS, now]. */
  windowS: number;
  /** `intervals` averages of `intervalS` each, oldest first, the last one ending now. */
  history?: { intervalS: number; intervals: number };
}

export interface NodeUsage {
  nodeId: string;
  /** Heartbeats the averages are made of. */
  samples: number;
  /** Fractions of the node's capacity. */
  cpuLoad: number;
  memLoad: number;
  watts: number;
  netTxMbps: number;
  netRxMbps: number;
  /** The sum of the average dirty rates of the VMs this node reported last. */
  dirtyRateMiBps: number;
  /** Corrected memory errors the node counted: in its first and last heartbeat of the window, and how many heartbeats raised the count. */
  correctedMemoryErrors?: { first: number; last: number; rises: number };
  /** The lowest and highest temperature it reported in the window (°C). */
  temperatureC?: { min: number; max: number };
}

/** A node's hardware health over the window, as SQL returns it (nulls when it reported none). */
interface HealthRow {
  nodeId: string;
  errorsFirst: number | null;
  errorsLast: number | null;
  rises: number;
  temperatureMin: number | null;
  temperatureMax: number | null;
}

export interface VmUsageAverage {
  vmId: string;
  /** The node that reported the VM's latest sample in the window. */
  nodeId: string;
  samples: number;
  /** Fraction of the VM's vCPUs. */
  cpuFraction: number;
  memUsedMiB: number;
  dirtyRateMiBps: number;
  /** What the VM sent to each peer (by VM id), averaged over all its samples: Mbit/s. */
  peerTxMbps: Record<string, number>;
}

/** Traffic of one VM pair, both directions together (vmA < vmB): the sum of what each side sent on average. */
export interface PairTraffic {
  vmA: string;
  vmB: string;
  mbps: number;
}

/**
 * Utilisation history, one point per interval, oldest first, the last interval ending at `at`. An entity's
 * series starts at its first interval with a sample (a VM created or a node registered since has a shorter
 * one); an interval without a sample after that repeats the one before (a heartbeat missed, a VM between
 * two nodes). Entities without any sample in the span have no series.
 */
export interface UsageHistory {
  intervalS: number;
  intervals: number;
  /** Node CPU load (fraction of its cores) per interval. */
  nodes: ReadonlyMap<string, number[]>;
  /** VM CPU use (fraction of its vCPUs) per interval: what the policies' detectors call utilisation history. */
  vms: ReadonlyMap<string, number[]>;
}

/**
 * The answer: `nodes` and `vms` hold only what sent samples in the window (a silent node or a stopped VM has no
 * entry), keyed by id.
 */
export interface ClusterUsage {
  /** The window's end ("now" by the controller's clock). */
  at: Date;
  windowS: number;
  nodes: ReadonlyMap<string, NodeUsage>;
  vms: ReadonlyMap<string, VmUsageAverage>;
  traffic: readonly PairTraffic[];
  history: UsageHistory | null;
}

/** Longest window or history span a query may cover: a week. */
const MAX_SPAN_S = 7 * 86_400;
const MAX_INTERVALS = 10_000;

/**
 * Usage as the policies see it: averages over a window of samples, never one sample. Reads what the
 * heartbeat buffer has written to PostgreSQL, after flushing it, so the window reaches up to now.
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly heartbeats: HeartbeatBuffer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async clusterUsage(query: UsageQuery): Promise<ClusterUsage> {
    validate(query);
    await this.heartbeats.flush();
    const at = this.clock.now();
    const toMs = at.getTime();
    const fromMs = toMs - query.windowS * 1000;
    const [nodeRows, vmRows, sentRows, history, healthRows] = await Promise.all([
      this.prisma.$queryRaw<Omit<NodeUsage, "dirtyRateMiBps">[]>`
        SELECT "nodeId"::text AS "nodeId", count(*)::int AS samples,
               avg("cpuLoad") AS "cpuLoad", avg("memLoad") AS "memLoad", avg(watts) AS watts,
               avg("netTxMbps") AS "netTxMbps", avg("netRxMbps") AS "netRxMbps"
          FROM "NodeSample" WHERE at >= ${utc(fromMs)} AND at <= ${utc(toMs)}
         GROUP BY "nodeId"`,
      this.prisma.$queryRaw<Omit<VmUsageAverage, "peerTxMbps">[]>`
        SELECT "vmId"::text AS "vmId", (array_agg("nodeId"::text ORDER BY at DESC))[1] AS "nodeId", count(*)::int AS samples,
               avg("cpuFraction") AS "cpuFraction", avg("memUsedMiB") AS "memUsedMiB", avg("dirtyRateMiBps") AS "dirtyRateMiBps"
          FROM "VmSample" WHERE at >= ${utc(fromMs)} AND at <= ${utc(toMs)}
         GROUP BY "vmId"`,
      this.prisma.$queryRaw<{ vmId: string; peer: string; total: number }[]>`
        SELECT s."vmId"::text AS "vmId", p.key AS peer, sum(p.value::float8) AS total
          FROM "VmSample" s CROSS JOIN LATERAL jsonb_each_text(s."peerTxMbps") AS p
         WHERE s.at >= ${utc(fromMs)} AND s.at <= ${utc(toMs)}
         GROUP BY 1, 2`,
      query.history ? this.history(toMs, query.history) : null,
      this.prisma.$queryRaw<HealthRow[]>`
        SELECT "nodeId"::text AS "nodeId",
               (array_agg(e ORDER BY at) FILTER (WHERE e IS NOT NULL))[1]::float8 AS "errorsFirst",
               (array_agg(e ORDER BY at DESC) FILTER (WHERE e IS NOT NULL))[1]::float8 AS "errorsLast",
               count(*) FILTER (WHERE e > previous)::int AS rises,
               min("temperatureC") AS "temperatureMin", max("temperatureC") AS "temperatureMax"
          FROM (SELECT "nodeId", at, "temperatureC", "correctedMemoryErrors" AS e,
                       lag("correctedMemoryErrors") OVER (PARTITION BY "nodeId" ORDER BY at) AS previous
                  FROM "NodeSample" WHERE at >= ${utc(fromMs)} AND at <= ${utc(toMs)}) AS s
         GROUP BY 1`,
    ]);

    const vms = new Map<string, VmUsageAverage>(vmRows.map((v) => [v.vmId, { ...v, peerTxMbps: {} }]));
    // A sample without traffic to a peer sent it nothing: average over all the VM's samples.
    for (const s of sentRows) {
      const vm = vms.get(s.vmId);
      if (vm) vm.peerTxMbps[s.peer] = s.total / vm.samples;
    }
    const dirty = new Map<string, number>();
    for (const vm of vms.values()) dirty.set(vm.nodeId, (dirty.get(vm.nodeId) ?? 0) + vm.dirtyRateMiBps);
    const health = new Map(healthRows.map((h) => [h.nodeId, h]));
    const nodes = new Map<string, NodeUsage>(nodeRows.map((n) => [n.nodeId, { ...n, dirtyRateMiBps: dirty.get(n.nodeId) ?? 0, ...healthOf(health.get(n.nodeId)) }]));
    return { at, windowS: query.windowS, nodes, vms, traffic: pairTraffic(vms.values()), history };
  }

  private async history(toMs: number, { intervalS, intervals }: { intervalS: number; intervals: number }): Promise<UsageHistory> {
    const startMs = toMs - intervalS * intervals * 1000;
    // Interval k holds the samples in (start + k * interval, start + (k + 1) * interval].
    const index = Prisma.sql`(ceil((${epochMs(Prisma.sql`at`)} - ${startMs}::float8) / ${intervalS * 1000}::float8)::int - 1)`;
    const [nodeRows, vmRows] = await Promise.all([
      this.prisma.$queryRaw<{ id: string; k: number; value: number }[]>`
        SELECT "nodeId"::text AS id, ${index} AS k, avg("cpuLoad") AS value
          FROM "NodeSample" WHERE at > ${utc(startMs)} AND at <= ${utc(toMs)}
         GROUP BY 1, 2`,
      this.prisma.$queryRaw<{ id: string; k: number; value: number }[]>`
        SELECT "vmId"::text AS id, ${index} AS k, avg("cpuFraction") AS value
          FROM "VmSample" WHERE at > ${utc(startMs)} AND at <= ${utc(toMs)}
         GROUP BY 1, 2`,
    ]);
    return { intervalS, intervals, nodes: intervalSeries(nodeRows, intervals), vms: intervalSeries(vmRows, intervals) };
  }
}

function healthOf(h: HealthRow | undefined): Pick<NodeUsage, "correctedMemoryErrors" | "temperatureC"> {
  if (!h) return {};
  return {
    ...(h.errorsFirst !== null && h.errorsLast !== null ? { correctedMemoryErrors: { first: h.errorsFirst, last: h.errorsLast, rises: h.rises } } : {}),
    ...(h.temperatureMin !== null && h.temperatureMax !== null ? { temperatureC: { min: h.temperatureMin, max: h.temperatureMax } } : {}),
  };
}

function validate(query: UsageQuery): void {
  const problems: FieldProblem[] = [];
  const within = (field: string, value: number, max: number, integer = false) => {
    if (!Number.isFinite(value) || value <= 0 || value > max || (integer && !Number.isInteger(value))) {
      problems.push({ field, reason: `must be ${integer ? "a whole number" : "a number"} above 0 and at most ${max}` });
    }
  };
  within("windowS", query.windowS, MAX_SPAN_S);
  if (query.history) {
    within("history.intervals", query.history.intervals, MAX_INTERVALS, true);
    within("history.intervalS", query.history.intervalS, MAX_SPAN_S);
    if (problems.length === 0 && query.history.intervalS * query.history.intervals > MAX_SPAN_S) {
      problems.push({ field: "history", reason: `intervalS x intervals must cover at most ${MAX_SPAN_S} s` });
    }
  }
  if (problems.length) throw new FerryError("ValidationFailed", problems.map((p) => `${p.field}: ${p.reason}`).join("; "), problems);
}
