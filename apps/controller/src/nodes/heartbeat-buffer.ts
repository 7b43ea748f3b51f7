import { Inject, Injectable, Logger, BeforeApplicationShutdown, OnModuleInit } from "@nestjs/common";
import type { Heartbeat } from "@ferry/protocol";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { CLOCK, Clock } from "../common/clock";
import { Periodic } from "../common/periodic";
import { PrismaService } from "../database/prisma.service";
import type { ChainableCommander } from "ioredis";
import { RedisService } from "../redis/redis.module";

export interface LatestHeartbeat {
  at: Date;
  sample: Heartbeat;
}

/** How many samples one flush writes with a single INSERT. */
const FLUSH_BATCH = 2_000;
/** Samples kept waiting while PostgreSQL is away (about an hour of 10,000 nodes at one beat per 2 s); older ones go. */
const MAX_BUFFERED = 20_000_000;

/**
 * Heartbeats never touch PostgreSQL on the request path. Each one is a single Redis round trip carrying two
 * transactions: the latest sample per node in a hash with the node's last-seen time in a sorted set (what
 * the liveness check reads), and the sample appended to a list. A timer drains that list into
 * NodeSample with one multi-row INSERT per batch and updates Node.lastHeartbeatAt with one UPDATE per
 * batch, so the database sees a few statements per flush interval whatever the number of nodes.
 */
@Injectable()
export class HeartbeatBuffer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(HeartbeatBuffer.name);
  private flushing: Promise<number> | null = null;
  private unrecordedAt: number | null = null;
  private samplesRefused = false;

  constructor(
    private readonly redis: RedisService,
    private readonly prisma: PrismaService,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.periodic.every("heartbeat-flush", this.config.sampleFlushMs, () => this.flush());
  }

  /** Samples still buffered are written before Redis and PostgreSQL close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush().catch((e) => this.logger.error(`final sample flush failed: ${e}`));
  }

  /**
   * The node's last-seen time and latest sample go in one transaction, the sample for PostgreSQL in another: a
   * sample the buffer refuses costs only that sample. When the last-seen write fails too (Redis away, or full
   * after a long PostgreSQL outage), its time is kept (lastUnrecordedAt) and liveness pauses.
   */
  async record(nodeId: string, sample: Heartbeat): Promise<Date> {
    const at = this.clock.now();
    const c = this.redis.client;
    // Both go out at once (ioredis does not wait for one answer to send the next): still one round trip.
    const [seen, buffered] = await Promise.allSettled([
      execAll(
        c
          .multi()
          .hset(this.redis.key("heartbeat", "latest"), nodeId, JSON.stringify({ at: at.getTime(), sample }))
          .zadd(this.redis.key("heartbeat", "seen"), at.getTime(), nodeId),
      ),
      execAll(
        c
          .multi()
          .rpush(this.redis.key("heartbeat", "samples"), JSON.stringify({ nodeId, at: at.getTime(), ...sample }))
          .ltrim(this.redis.key("heartbeat", "samples"), -MAX_BUFFERED, -1),
      ),
    ]);
    if (seen.status === "rejected") {
      this.unrecordedAt = at.getTime();
      throw seen.reason;
    }
    if (buffered.status === "rejected" && !this.samplesRefused) {
      this.logger.warn(`heartbeat samples are not being buffered (last-seen times still are): ${buffered.reason}`);
    }
    this.samplesRefused = buffered.status === "rejected";
    return at;
  }

  /** When a heartbeat last arrived but its last-seen time could not be written (ms since epoch), if ever. */
  get lastUnrecordedAt(): number | null {
    return this.unrecordedAt;
  }

  async latest(nodeId: string): Promise<LatestHeartbeat | null> {
    const raw = await this.redis.client.hget(this.redis.key("heartbeat", "latest"), nodeId);
    return raw ? parseLatest(raw) : null;
  }

  async latestAll(): Promise<Map<string, LatestHeartbeat>> {
    const raw = await this.redis.client.hgetall(this.redis.key("heartbeat", "latest"));
    return new Map(Object.entries(raw).map(([id, v]) => [id, parseLatest(v)]));
  }

  /** Last heartbeat time (ms since epoch) of every node that has sent one. */
  async lastSeen(): Promise<Map<string, number>> {
    const flat = await this.redis.client.zrange(this.redis.key("heartbeat", "seen"), "0", "-1", "WITHSCORES");
    const seen = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, Number(flat[i + 1]));
    return seen;
  }

  /** Drain buffered samples into PostgreSQL. Concurrent calls share one drain. Returns samples written. */
  flush(): Promise<number> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async drain(): Promise<number> {
    let written = 0;
    const key = this.redis.key("heartbeat", "samples");
    for (;;) {
      const batch = await this.redis.client.lpop(key, FLUSH_BATCH);
      if (!batch || batch.length === 0) return written;
      try {
        written += await this.store(batch.map((s) => JSON.parse(s) as BufferedSample));
      } catch (e) {
        // Put the batch back at the head of the list, so a database outage loses no samples.
        await this.redis.client.lpush(key, ...batch.reverse());
        throw e;
      }
    }
  }

  /** One INSERT for the batch (samples of nodes that no longer exist are dropped) and one UPDATE. */
  private async store(rows: BufferedSample[]): Promise<number> {
    const ids = [...new Set(rows.map((r) => r.nodeId))];
    const known = new Set((await this.prisma.node.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((n) => n.id));
    const kept = rows.filter((r) => known.has(r.nodeId));
    await this.prisma.$transaction([
      this.prisma.nodeSample.createMany({
        data: kept.map((r) => ({
          nodeId: r.nodeId,
          at: new Date(r.at),
          cpuLoad: r.cpuLoad,
          memLoad: r.memLoad,
          watts: r.watts,
          netTxMbps: r.netTxMbps,
          netRxMbps: r.netRxMbps,
        })),
      }),
      ...lastHeartbeatUpdates(this.prisma, kept),
    ]);
    return kept.length;
  }
}

type BufferedSample = Heartbeat & { nodeId: string; at: number };

/** EXEC reports a command that failed inside the transaction as a result, not a rejection: throw it. */
async function execAll(multi: ChainableCommander): Promise<void> {
  for (const [error] of (await multi.exec()) ?? []) if (error) throw error;
}

function parseLatest(raw: string): LatestHeartbeat {
  const v = JSON.parse(raw) as { at: number; sample: Heartbeat };
  return { at: new Date(v.at), sample: v.sample };
}

/** One UPDATE for the whole batch: each node's newest sample time. */
function lastHeartbeatUpdates(prisma: PrismaService, rows: { nodeId: string; at: number }[]) {
  const newest = new Map<string, number>();
  for (const r of rows) newest.set(r.nodeId, Math.max(newest.get(r.nodeId) ?? 0, r.at));
  if (newest.size === 0) return [];
  const ids = [...newest.keys()];
  const epochMs = ids.map((id) => newest.get(id)!);
  // Prisma keeps DateTime as UTC in "timestamp without time zone" columns.
  return [
    prisma.$executeRaw`
      UPDATE "Node" AS n SET "lastHeartbeatAt" = v.at
      FROM (SELECT unnest(${ids}::uuid[]) AS id,
                   to_timestamp(unnest(${epochMs}::float8[]) / 1000.0) AT TIME ZONE 'UTC' AS at) AS v
      WHERE n.id = v.id AND (n."lastHeartbeatAt" IS NULL OR n."lastHeartbeatAt" < v.at)`,
  ];
}
