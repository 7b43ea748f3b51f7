import { Inject, Injectable } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { PrismaService } from "../database/prisma.service";
import { readSnapshot } from "../placement/cluster-snapshot";
import type { PolicyRunInput, UsageWindow } from "./live-policy";
import { postCopyAllowed } from "../migrations/technique-choice";
import type { PolicyVm, RecentMove } from "./policy-input";
import { UsageService, type NodeUsage } from "../usage/usage.service";

/** Completed migrations older than this never matter to a policy's hold time or reversal window. */
const MOVE_MEMORY_MS = 7 * 86_400_000;

/**
 * Reads what a policy run needs, once per run: the cluster in one consistent snapshot, plus usage over the
 * policy's window (UsageService: averages of heartbeats, never one sample).
 */
@Injectable()
export class PolicyContext {
  constructor(
    private readonly prisma: PrismaService,
    private readonly usage: UsageService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async read(window: UsageWindow): Promise<PolicyRunInput> {
    const now = this.clock.now();
    const { nodes, vms, traffic, moves, placement, evacuating } = await this.prisma.$transaction(
      async (tx) => ({
        nodes: await tx.node.findMany({ orderBy: { name: "asc" } }),
        vms: await tx.vm.findMany({ where: { nodeId: { not: null } }, orderBy: { name: "asc" } }),
        traffic: await tx.traffic.findMany(),
        moves: await tx.migration.findMany({
          where: { state: "completed", finishedAt: { gte: new Date(now.getTime() - MOVE_MEMORY_MS) } },
          select: { vmId: true, sourceNodeId: true, targetNodeId: true, finishedAt: true },
        }),
        placement: await readSnapshot(tx),
        evacuating: await tx.plan.findMany({ where: { kind: "evacuate", state: { in: ["proposed", "approved", "applying"] } }, select: { scopeNodeIds: true } }),
      }),
      { isolationLevel: "RepeatableRead" },
    );
    const recentMoves: RecentMove[] = moves.map((m) => ({ vmId: m.vmId, fromNodeId: m.sourceNodeId, toNodeId: m.targetNodeId, finishedAt: m.finishedAt! }));
    const arrived = new Map<string, Date>();
    for (const m of recentMoves) if (!(arrived.get(m.vmId)! >= m.finishedAt)) arrived.set(m.vmId, m.finishedAt);
    const usage = await this.usage.clusterUsage({ windowS: window.intervalS, history: { intervalS: window.intervalS, intervals: window.points } });
    const history = usage.history?.vms ?? new Map<string, number[]>();
    // Measured traffic wins over what was declared for a pair; declared pairs without measurements stay.
    const pairs = new Map(traffic.map((t) => [`${t.vmAId}/${t.vmBId}`, [t.vmAId, t.vmBId, t.rateMbps] as [string, string, number]]));
    for (const p of usage.traffic) pairs.set(`${p.vmA}/${p.vmB}`, [p.vmA, p.vmB, p.mbps]);
    const expected = (window.intervalS * 1000) / this.config.heartbeatIntervalMs;
    const leaving = new Set(evacuating.flatMap((p) => p.scopeNodeIds));
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
        netTxMbps: usage.nodes.get(n.id)?.netTxMbps,
        netRxMbps: usage.nodes.get(n.id)?.netRxMbps,
        // A node younger than the window cannot have sent a window's worth of heartbeats: it is not judged.
        health: {
          ...(now.getTime() - n.createdAt.getTime() >= window.intervalS * 1000 ? { heartbeatShare: Math.min(1, (usage.nodes.get(n.id)?.samples ?? 0) / expected) } : {}),
          evacuating: leaving.has(n.id),
          // The hardware health the node reported over the window, if it reported any.
          ...nodeHealth(usage.nodes.get(n.id)),
        },
      })),
      vms: vms.map((v) => ({
        id: v.id,
        name: v.name,
        nodeId: v.nodeId!,
        state: v.state,
        cpu: v.cpu,
        memMiB: v.memMiB,
        dirtyRateMiBps: usage.vms.get(v.id)?.dirtyRateMiBps ?? v.dirtyRateMiBps,
        slaMaxDowntimeMs: v.slaMaxDowntimeMs,
        slaMaxTotalMs: v.slaMaxTotalMs,
        allowPostCopy: postCopyAllowed(v),
        ...(v.slaNetwork ? { slaNetwork: v.slaNetwork as unknown as NonNullable<PolicyVm["slaNetwork"]> } : {}),
        cpuHistory: history.get(v.id) ?? [],
        ...(arrived.has(v.id) ? { lastMigratedAt: arrived.get(v.id)! } : {}),
      })),
      traffic: [...pairs.values()],
      recentMoves,
      link: this.config.migrationLink,
      placement,
    };
  }
}

function nodeHealth(u: NodeUsage | undefined): Pick<NodeUsage, "correctedMemoryErrors" | "temperatureC"> {
  return {
    ...(u?.correctedMemoryErrors ? { correctedMemoryErrors: u.correctedMemoryErrors } : {}),
    ...(u?.temperatureC ? { temperatureC: u.temperatureC } : {}),
  };
}
