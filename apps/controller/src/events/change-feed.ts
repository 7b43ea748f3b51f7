import { Inject, Injectable, Logger } from "@nestjs/common";
import type { Redis } from "ioredis";
import { CLOCK, Clock } from "../common/clock";
import { RedisService } from "../redis/redis.module";

export const CHANGE_KINDS = ["node", "vm", "migration", "plan", "policy"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One change as /api/v1/events sends it; `id` names the object, `type` what happened to it. */
export interface Change {
  kind: ChangeKind;
  id: string;
  type: string;
  at: string;
  data?: unknown;
}

/** A change with its place in the stream (the SSE event id, usable as Last-Event-ID). */
export interface StreamedChange extends Change {
  streamId: string;
}

/** Changes kept for resuming: about the last hour of a busy cluster. Older Last-Event-IDs get a `reset`. */
const KEEP = 10_000;

/** How often a node's heartbeat becomes a change, at most (the rest only update its load). */
export const HEARTBEAT_CHANGE_EVERY_MS = 10_000;

/**
 * The one place changes are published: a Redis stream (capped at about KEEP entries) that every controller
 * replica appends to and reads from, so a subscriber can resume on any replica. Publishing never fails the
 * change it reports: the change has already been committed, so a Redis error is logged and dropped.
 */
@Injectable()
export class ChangeFeed {
  private readonly logger = new Logger(ChangeFeed.name);
  readonly key: string;
  private readonly lastHeartbeat = new Map<string, number>();

  constructor(
    private readonly redis: RedisService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.key = redis.key("events");
  }

  async publish(kind: ChangeKind, id: string, type: string, data?: unknown): Promise<void> {
    const change: Change = { kind, id, type, at: this.clock.now().toISOString(), ...(data === undefined ? {} : { data }) };
    try {
      await this.redis.client.xadd(this.key, "MAXLEN", "~", KEEP, "*", "c", JSON.stringify(change));
    } catch (e) {
      this.logger.warn(`change ${kind} ${id} ${type} not published: ${e instanceof Error ? e.message : e}`);
    }
  }

  /**
   * A heartbeat as a change, at most once per HEARTBEAT_CHANGE_EVERY_MS per node and replica. Kept in memory,
   * not in Redis: the heartbeat path stays one Redis round trip (heartbeat-buffer.ts) for all but these.
   */
  async heartbeat(nodeId: string, data: unknown): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - (this.lastHeartbeat.get(nodeId) ?? -Infinity) < HEARTBEAT_CHANGE_EVERY_MS) return;
    this.lastHeartbeat.set(nodeId, now);
    await this.publish("node", nodeId, "heartbeat", data);
  }

  /** A connection of its own for one subscriber's blocking reads. */
  reader(): Redis {
    return this.redis.client.duplicate({ maxRetriesPerRequest: null });
  }

  /** The oldest stream id still kept, or null when the stream is empty. */
  async oldestId(reader: Redis): Promise<string | null> {
    const first = await reader.xrange(this.key, "-", "+", "COUNT", 1);
    return first[0]?.[0] ?? null;
  }

  /** The newest stream id, "0-0" when the stream is empty: where a subscriber without Last-Event-ID starts. */
  async newestId(reader: Redis): Promise<string> {
    const last = await reader.xrevrange(this.key, "+", "-", "COUNT", 1);
    return last[0]?.[0] ?? "0-0";
  }

  /** Changes after `afterId`, waiting up to `blockMs` for one. */
  async read(reader: Redis, afterId: string, blockMs: number): Promise<StreamedChange[]> {
    const answer = await reader.xread("COUNT", 500, "BLOCK", blockMs, "STREAMS", this.key, afterId);
    const entries = answer?.[0]?.[1] ?? [];
    return entries.map(([streamId, fields]) => ({ ...(JSON.parse(fields[1]!) as Change), streamId }));
  }
}
