import { Inject, Injectable } from "@nestjs/common";
import { NODE_STATES, type NodeLoad } from "@ferry/protocol";
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { CLOCK, Clock } from "../common/clock";
import { PrismaService } from "../database/prisma.service";
import { LeaderService } from "../leader/leader.service";
import { MigrationQueue } from "../migrations/migration-queue";
import { HeartbeatBuffer } from "../nodes/heartbeat-buffer";

const MIGRATION_STATES = ["requested", "queued", "running", "completed", "failed", "cancelled"] as const;

/** Per-node gauges from each node's latest heartbeat. */
const NODE_LOAD_GAUGES: { name: string; help: string; field: keyof NodeLoad }[] = [
  { name: "ferry_node_cpu_load", help: "CPU load of each node (fraction of its cores) in its latest heartbeat", field: "cpuLoad" },
  { name: "ferry_node_memory_load", help: "Memory load of each node (fraction of its memory) in its latest heartbeat", field: "memLoad" },
  { name: "ferry_node_power_watts", help: "Power drawn by each node in its latest heartbeat", field: "watts" },
  { name: "ferry_node_network_transmit_mbps", help: "Traffic each node sent (Mbit/s) in its latest heartbeat", field: "netTxMbps" },
  { name: "ferry_node_network_receive_mbps", help: "Traffic each node received (Mbit/s) in its latest heartbeat", field: "netRxMbps" },
];

/** Prometheus metrics, read from the source of truth at scrape time. One registry per app instance. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(
    prisma: PrismaService,
    queue: MigrationQueue,
    heartbeats: HeartbeatBuffer,
    leader: LeaderService,
    @Inject(CLOCK) clock: Clock,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: "ferry_controller_" });
    new Gauge({
      name: "ferry_leader",
      help: "1 when this replica holds the leader lease (runs the loops), 0 when it only serves the API",
      registers: [this.registry],
      collect() {
        this.set(leader.isLeader() ? 1 : 0);
      },
    });
    new Gauge({
      name: "ferry_nodes",
      help: "Nodes by state",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        const rows = await prisma.node.findMany({ select: { state: true } });
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
        const nodes = await prisma.node.findMany({ select: { id: true } });
        this.set(await queue.depth(nodes.map((n) => n.id)));
      },
    });
    new Gauge({
      name: "ferry_node_heartbeat_lag_seconds",
      help: "Seconds since each node's last heartbeat",
      labelNames: ["node"],
      registers: [this.registry],
      async collect() {
        // prom-client collects gauges concurrently, so each reads what it needs itself.
        const [nodes, seen] = await Promise.all([prisma.node.findMany({ select: { id: true, name: true } }), heartbeats.lastSeen()]);
        const now = clock.now().getTime();
        this.reset();
        for (const node of nodes) {
          const at = seen.get(node.id);
          if (at !== undefined) this.set({ node: node.name }, (now - at) / 1000);
        }
      },
    });
    for (const { name, help, field } of NODE_LOAD_GAUGES) {
      new Gauge({
        name,
        help,
        labelNames: ["node"],
        registers: [this.registry],
        async collect() {
          const [nodes, latest] = await Promise.all([prisma.node.findMany({ select: { id: true, name: true, state: true } }), heartbeats.latestAll()]);
          this.reset();
          for (const node of nodes) {
            // A switched-off node draws nothing, even before its agent's first heartbeat as switched off.
            if (node.state === "off" && field === "watts") this.set({ node: node.name }, 0);
            else {
              const sample = latest.get(node.id)?.sample;
              if (sample) this.set({ node: node.name }, sample[field]);
            }
          }
        },
      });
    }
  }
}
