import { Inject, Injectable } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { PrismaService } from "../database/prisma.service";
import { readSnapshot } from "../placement/cluster-snapshot";
import type { PolicyRunInput, UsageWindow } from "./live-policy";
import type { RecentMove } from "./policy-input";
import { USAGE_HISTORY, type UsageHistory } from "./usage-history";

/** Completed migrations older than this never matter to a policy's hold time or reversal window. */
const MOVE_MEMORY_MS = 7 * 86_400_000;

/** Reads what a policy run needs, once per run: the cluster in one consistent snapshot, plus usage history. */
@Injectable()
export class PolicyContext {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(USAGE_HISTORY) private readonly usage: UsageHistory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async read(window: UsageWindow): Promise<PolicyRunInput> {
    const now = this.clock.now();
    const { nodes, vms, traffic, moves, placement } = await this.prisma.$transaction(
      async (tx) => ({
        nodes: await tx.node.findMany({ orderBy: { name: "asc" } }),
        vms: await tx.vm.findMany({ where: { nodeId: { not: null } }, orderBy: { name: "asc" } }),
        traffic: await tx.traffic.findMany(),
        moves: await tx.migration.findMany({
          where: { state: "completed", finishedAt: { gte: new Date(now.getTime() - MOVE_MEMORY_MS) } },
          select: { vmId: true, sourceNodeId: true, targetNodeId: true, finishedAt: true },
        }),
        placement: await readSnapshot(tx),
      }),
      { isolationLevel: "RepeatableRead" },
    );
    const recentMoves: RecentMove[] = moves.map((m) => ({ vmId: m.vmId, fromNodeId: m.sourceNodeId, toNodeId: m.targetNodeId, finishedAt: m.finishedAt! }));
    const arrived = new Map<string, Date>();
    for (const m of recentMoves) if (!(arrived.get(m.vmId)! >= m.finishedAt)) arrived.set(m.vmId, m.finishedAt);
    const history = await this.usage.cpuHistory(vms.map((v) => v.id), window, now);
    return {
      now,
      intervalS: window.intervalS,
      nodes: nodes.map((n) => ({
        id: n.id,
        name: n.name,
        state: n.state,
        cpu: n.cpu,
        memMiB: n.memMiB,
        idleWatts: n.idleWatts,
        peakWatts: n.peakWatts,
        labels: n.labels as Record<string, string>,
      })),
      vms: vms.map((v) => ({
        id: v.id,
        name: v.name,
        nodeId: v.nodeId!,
        state: v.state,
        cpu: v.cpu,
        memMiB: v.memMiB,
        dirtyRateMiBps: v.dirtyRateMiBps,
        cpuHistory: history.get(v.id) ?? [],
        ...(arrived.has(v.id) ? { lastMigratedAt: arrived.get(v.id)! } : {}),
      })),
      traffic: traffic.map((t) => [t.vmAId, t.vmBId, t.rateMbps]),
      recentMoves,
      link: this.config.migrationLink,
      placement,
    };
  }
}
