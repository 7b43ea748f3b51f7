import { Inject, Injectable, Logger, BeforeApplicationShutdown, OnModuleInit } from "@nestjs/common";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Heartbeat, NodeHealth, NodeLoad, VmUsage } from "@ferry/protocol";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { CLOCK, Clock } from "../common/clock";
import { Periodic } from "../common/periodic";
import { PrismaService } from "../database/prisma.service";
import type { ChainableCommander } from "ioredis";
import { RedisService } from "../redis/redis.module";
import { POWER_MIRROR } from "../power/power.service";

/** A recorded heartbeat: when, and its node's state when that is off or waking (power/power.service.ts), else null. */
export interface RecordedHeartbeat {
  at: Date;
  powerState: string | null;
}

export interface LatestHeartbeat {
  at: Date;
  sample: NodeLoad;
}

/** How many heartbeats one flush step reads, and writes with a single INSERT per table. */
const FLUSH_BATCH = 2_000;
/** VM samples per INSERT: 8 columns each stays well under PostgreSQL's 65,535 bind parameters. */
const VM_ROWS_PER_INSERT = 5_000;
/** Heartbeats kept waiting while PostgreSQL is away (about an hour of 10,000 nodes at one beat per 2 s); older ones go. */
const MAX_BUFFERED = 20_000_000;
/** The consumer group every controller replica's writer reads the buffer through. */
const GROUP = "sample-writers";

/** A stream entry as XREADGROUP and XAUTOCLAIM return it; fields are null for an entry trimmed away since. */
type StreamEntry = [id: string, fields: string[] | null];

/**
 * Heartbeats never touch PostgreSQL on the request path. Each one is a single Redis round trip carrying two
 * transactions: the node's latest load in a hash with its last-seen time in a sorted set (what the liveness
 * check reads), and the whole heartbeat (node load and per-VM usage) appended to a stream. A timer drains the
 * stream into NodeSample and VmSample with one multi-row INSERT per table per batch, and updates
 * Node.lastHeartbeatAt with one UPDATE per batch, so the database sees a few statements per flush interval
 * whatever the number of nodes.
 *
 * No sample is lost between reading and writing: writers read through a consumer group, so a batch stays
 * in the group's pending list until its INSERT has committed and it is acknowledged. A batch whose INSERT
 * fails stays pending and is retried first at the next flush; one that a writer read and never
 * acknowledged (the process crashed) is claimed by any writer once it has been idle for
 * `sampleClaimIdleMs`. A batch written but not yet acknowledged when its writer crashed is written again,
 * and adds nothing: (nodeId, at) and (vmId, at, nodeId) are unique, and a node's samples never share a
 * millisecond (record() stamps them apart).
 */
@Injectable()
export class HeartbeatBuffer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(HeartbeatBuffer.name);
  private readonly consumer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly lastStamp = new Map<string, number>();
  private group: Promise<void> | null = null;
  private flushing: Promise<number> | null = null;
  private unrecordedAt: number | null = null;
  private connectionLost = false;
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
    // While the connection is down, ioredis holds commands back and fails them only every few reconnect
    // attempts, so the last failure can come well before Redis is back; and an agent's heartbeat is written
    // only after its credential is read, so the heartbeats held back land after a liveness read sent at the
    // same time. Only the moment the connection is ready again says when heartbeats are recorded again.
    this.redis.client.on("close", () => (this.connectionLost = true));
    this.redis.client.on("ready", () => {
      if (this.connectionLost) this.markUnrecorded(this.clock.now().getTime());
      this.connectionLost = false;
    });
  }

  /** Samples still buffered are written before Redis and PostgreSQL close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush().catch((e) => this.logger.error(`final sample flush failed: ${e}`));
  }

  /**
   * The node's last-seen time and latest load go in one transaction, the heartbeat for PostgreSQL in another: a
   * heartbeat the stream refuses costs only its samples. When the last-seen write fails too (Redis away, or
   * full after a long PostgreSQL outage), its time is kept (lastUnrecordedAt) and liveness pauses. The first
   * transaction also reads the node's power state from its mirror, for the answer.
   */
  async record(nodeId: string, heartbeat: Heartbeat): Promise<RecordedHeartbeat> {
    const { vms, ...load } = heartbeat;
    const at = this.stamp(nodeId);
    const buffered: BufferedHeartbeat = { nodeId, at, ...load, vms };
    const c = this.redis.client;
    // Both go out at once (ioredis does not wait for one answer to send the next): still one round trip.
    const [seen, sampled] = await Promise.allSettled([
      execAll(
        c
          .multi()
          .hset(this.redis.key("heartbeat", "latest"), nodeId, JSON.stringify({ at, sample: load }))
          .zadd(this.redis.key("heartbeat", "seen"), at, nodeId)
          .hget(this.redis.key(...POWER_MIRROR), nodeId),
      ),
      execAll(c.multi().xadd(this.stream, "MAXLEN", "~", MAX_BUFFERED, "*", "h", JSON.stringify(buffered))),
    ]);
    if (seen.status === "rejected") {
      this.markUnrecorded(at);
      throw seen.reason;
    }
    if (sampled.status === "rejected" && !this.samplesRefused) {
      this.logger.warn(`heartbeat samples are not being buffered (last-seen times still are): ${sampled.reason}`);
    }
    this.samplesRefused = sampled.status === "rejected";
    return { at: new Date(at), powerState: (seen.value[2] as string | null) ?? null };
  }

  /** An agent's call arrived but Redis could not answer for it: liveness pauses as for a heartbeat not recorded. */
  unrecorded(): void {
    this.markUnrecorded(this.clock.now().getTime());
  }

  /**
   * When heartbeats last could not be recorded (ms since epoch), if ever: now while the Redis connection is
   * down, the moment it was ready again after an outage, or when a heartbeat last arrived but its last-seen
   * time could not be written.
   */
  get lastUnrecordedAt(): number | null {
    return this.redis.client.status === "ready" ? this.unrecordedAt : this.clock.now().getTime();
  }

  /** A failure reported late (a command held back through the outage) never moves the time back. */
  private markUnrecorded(at: number): void {
    this.unrecordedAt = Math.max(this.unrecordedAt ?? at, at);
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

  /** Drain buffered heartbeats into PostgreSQL. Concurrent calls share one drain. Returns node samples written. */
  flush(): Promise<number> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private get stream(): string {
    return this.redis.key("heartbeat", "stream");
  }

  /** The controller's clock, moved on by a millisecond when a node's previous heartbeat got the same one. */
  private stamp(nodeId: string): number {
    const at = Math.max(this.clock.now().getTime(), (this.lastStamp.get(nodeId) ?? 0) + 1);
    this.lastStamp.set(nodeId, at);
    return at;
  }

  private async drain(): Promise<number> {
    try {
      await this.ensureGroup();
      // Ours first (a batch whose INSERT failed last time), then what crashed writers left, then new ones.
      let written = await this.drainReads("0");
      written += await this.drainClaims();
      written += await this.drainReads(">");
      return written;
    } catch (e) {
      // The stream or its group vanished (Redis restarted empty): create them again at the next flush.
      if (e instanceof Error && e.message.includes("NOGROUP")) this.group = null;
      throw e;
    }
  }

  private ensureGroup(): Promise<void> {
    this.group ??= this.redis.client.xgroup("CREATE", this.stream, GROUP, "0", "MKSTREAM").then(
      () => undefined,
      (e: Error) => {
        if (e.message.includes("BUSYGROUP")) return;
        this.group = null;
        throw e;
      },
    );
    return this.group;
  }

  /** `from` "0": entries delivered to this writer and not yet acknowledged; ">": entries no writer has read. */
  private async drainReads(from: "0" | ">"): Promise<number> {
    let written = 0;
    for (;;) {
      const reply = (await this.redis.client.xreadgroup("GROUP", GROUP, this.consumer, "COUNT", FLUSH_BATCH, "STREAMS", this.stream, from)) as
        | [string, StreamEntry[]][]
        | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) return written;
      written += await this.write(entries);
    }
  }

  private async drainClaims(): Promise<number> {
    let written = 0;
    let cursor = "0-0";
    do {
      const [next, entries] = (await this.redis.client.xautoclaim(
        this.stream,
        GROUP,
        this.consumer,
        this.config.sampleClaimIdleMs,
        cursor,
        "COUNT",
        FLUSH_BATCH,
      )) as [string, StreamEntry[], string[]];
      if (entries.length > 0) {
        this.logger.warn(`taking over ${entries.length} buffered heartbeats another writer read and never wrote`);
        written += await this.write(entries);
      }
      cursor = next;
    } while (cursor !== "0-0");
    if (written > 0) await this.forgetIdleWriters();
    return written;
  }

  /** Writers that crashed stay in the group with nothing pending; drop them once they are that idle. */
  private async forgetIdleWriters(): Promise<void> {
    const consumers = (await this.redis.client.xinfo("CONSUMERS", this.stream, GROUP)) as (string | number)[][];
    for (const flat of consumers) {
      const info = new Map<string, string | number>();
      for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]!);
      const name = String(info.get("name"));
      if (name !== this.consumer && Number(info.get("pending")) === 0 && Number(info.get("idle")) >= this.config.sampleClaimIdleMs) {
        await this.redis.client.xgroup("DELCONSUMER", this.stream, GROUP, name);
      }
    }
  }

  /** Store the entries, then acknowledge and delete them. If storing throws they stay pending, to be retried. */
  private async write(entries: StreamEntry[]): Promise<number> {
    const rows: BufferedHeartbeat[] = [];
    for (const [id, fields] of entries) {
      if (!fields) continue;
      try {
        rows.push(JSON.parse(fields[1]!) as BufferedHeartbeat);
      } catch {
        this.logger.error(`dropping unreadable buffered heartbeat ${id}`);
      }
    }
    const written = rows.length > 0 ? await this.store(rows) : 0;
    const ids = entries.map(([id]) => id);
    await this.redis.client
      .multi()
      .xack(this.stream, GROUP, ...ids)
      .xdel(this.stream, ...ids)
      .exec();
    return written;
  }

  /**
   * One INSERT per table for the batch (samples of nodes or VMs that no longer exist are dropped) and one
   * UPDATE, in one transaction. Rows already written by an earlier attempt are skipped.
   */
  private async store(rows: BufferedHeartbeat[]): Promise<number> {
    const nodeIds = [...new Set(rows.map((r) => r.nodeId))];
    const vmIds = [...new Set(rows.flatMap((r) => r.vms.map((v) => v.vmId)))];
    const [nodes, vms] = await Promise.all([
      this.prisma.node.findMany({ where: { id: { in: nodeIds } }, select: { id: true } }),
      vmIds.length ? this.prisma.vm.findMany({ where: { id: { in: vmIds } }, select: { id: true } }) : [],
    ]);
    const knownNodes = new Set(nodes.map((n) => n.id));
    const knownVms = new Set(vms.map((v) => v.id));
    const kept = rows.filter((r) => knownNodes.has(r.nodeId));
    const vmRows = kept.flatMap((r) =>
      r.vms
        .filter((v) => knownVms.has(v.vmId))
        .map((v) => ({
          vmId: v.vmId,
          nodeId: r.nodeId,
          at: new Date(r.at),
          cpuFraction: v.cpuFraction,
          memUsedMiB: v.memUsedMiB,
          dirtyRateMiBps: v.dirtyRateMiBps,
          peerTxMbps: v.peerTxMbps,
        })),
    );
    const vmInserts = [];
    for (let i = 0; i < vmRows.length; i += VM_ROWS_PER_INSERT) {
      vmInserts.push(this.prisma.vmSample.createMany({ data: vmRows.slice(i, i + VM_ROWS_PER_INSERT), skipDuplicates: true }));
    }
    const [nodeInsert] = await this.prisma.$transaction([
      this.prisma.nodeSample.createMany({
        data: kept.map((r) => ({
          nodeId: r.nodeId,
          at: new Date(r.at),
          cpuLoad: r.cpuLoad,
          memLoad: r.memLoad,
          watts: r.watts,
          netTxMbps: r.netTxMbps,
          netRxMbps: r.netRxMbps,
          correctedMemoryErrors: r.health ? BigInt(r.health.correctedMemoryErrors) : null,
          temperatureC: r.health?.temperatureC ?? null,
        })),
        skipDuplicates: true,
      }),
      ...vmInserts,
      ...lastHeartbeatUpdates(this.prisma, kept),
    ]);
    return (nodeInsert as { count: number }).count;
  }
}

/** A heartbeat as buffered: the node, the time the controller received it, its load and its VMs' usage. */
type BufferedHeartbeat = NodeLoad & { nodeId: string; at: number; vms: VmUsage[]; health?: NodeHealth };

/** EXEC reports a command that failed inside the transaction as a result, not a rejection: throw it. Returns the results. */
async function execAll(multi: ChainableCommander): Promise<unknown[]> {
  const replies = (await multi.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, result]) => result);
}

function parseLatest(raw: string): LatestHeartbeat {
  const v = JSON.parse(raw) as { at: number; sample: NodeLoad };
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
