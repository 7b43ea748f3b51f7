import { Inject, Injectable } from "@nestjs/common";
import { NODE_STATES } from "@ferry/protocol";
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { CLOCK, Clock } from "../common/clock";
import { PrismaService } from "../database/prisma.service";
import { MigrationQueue } from "../migrations/migration-queue";
import { HeartbeatBuffer } from "../nodes/heartbeat-buffer";

const MIGRATION_STATES = ["requested", "queued", "running", "completed", "failed", "cancelled"] as const;

/** Prometheus metrics, read from the source of truth at scrape time. One registry per app instance. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(
    prisma: PrismaService,
    queue: MigrationQueue,
    heartbeats: HeartbeatBuffer,
    @Inject(CLOCK) clock: Clock,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: "ferry_controller_" });
    let names = new Map<string, string>();
    new Gauge({
      name: "ferry_nodes",
      help: "Nodes by state",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        const rows = await prisma.node.findMany({ select: { id: true, name: true, state: true } });
        names = new Map(rows.map((n) => [n.id, n.name]));
        for (const s of NODE_STATES) this.set({ state: s }, rows.filter((n) => n.state === s).length);
      },
    });
    new Gauge({
      name: "ferry_migrations",
      help: "Migrations by state",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        const rows = await prisma.migration.groupBy({ by: ["state"], _count: { _all: true } });
        for (const s of MIGRATION_STATES) this.set({ state: s }, rows.find((r) => r.state === s)?._count._all ?? 0);
      },
    });
    new Gauge({
      name: "ferry_migration_queue_depth",
      help: "Migration jobs waiting or running across all node queues",
      registers: [this.registry],
      async collect() {
        this.set(await queue.depth([...names.keys()]));
      },
    });
    new Gauge({
      name: "ferry_node_heartbeat_lag_seconds",
      help: "Seconds since each node's last heartbeat",
      labelNames: ["node"],
      registers: [this.registry],
      async collect() {
        this.reset();
        const now = clock.now().getTime();
        for (const [id, at] of await heartbeats.lastSeen()) this.set({ node: names.get(id) ?? id }, (now - at) / 1000);
      },
    });
  }
}
