import { z } from "zod";
import { pinned } from "../../placement/cluster-snapshot";
import { replan, trafficDraft } from "../../placement/replan";
import type { LivePolicy } from "../live-policy";

const params = z
  .object({
    maxMigrations: z.number().int().min(1).max(500).default(10),
    maxMemoryMovedMiB: z.number().int().positive().optional(),
    timeLimitMs: z.number().int().min(10).max(30_000).default(1_000),
    /** Propose a plan only when it cuts the traffic cost by at least this share (hysteresis against churn). */
    minGainPct: z.number().min(0).max(100).default(5),
    holdS: z.number().int().min(0).max(7 * 86_400).default(1800),
    reversalS: z.number().int().min(0).max(7 * 86_400).default(6 * 3600),
  })
  .strict();
type TrafficParams = z.infer<typeof params>;

/**
 * The traffic re-placement on a schedule: the placement engine's incremental plan (sum of rate x network
 * distance, within the migration budget, every intermediate placement feasible), proposed only when it gains
 * at least `minGainPct`.
 */
export const traffic: LivePolicy<TrafficParams> = {
  name: "traffic",
  description: "moves chatty VMs nearer each other when that cuts the traffic cost enough",
  defaults: { mode: "approve", intervalS: 900 },
  params,
  window: () => ({ intervalS: 60, points: 1 }),
  propose(input, p) {
    const seed = Math.floor(input.now.getTime() / 1000) >>> 0;
    // VMs inside their hold time are pinned before solving, so every move of the plan stays feasible in order
    // (their traffic no longer pulls their peers during this run).
    const held = new Set(input.recentMoves.filter((m) => input.now.getTime() - m.finishedAt.getTime() < p.holdS * 1000).map((m) => m.vmId));
    const computed = replan(pinned(input.placement, held), { ...p, seed });
    const gainPct = computed.costBefore > 0 ? (100 * (computed.costBefore - computed.costAfter)) / computed.costBefore : 0;
    if (!computed.moves.length || gainPct < p.minGainPct) {
      return { none: `best plan gains ${gainPct.toFixed(1)} % of the traffic cost (threshold ${p.minGainPct} %)` };
    }
    return {
      draft: trafficDraft(
        computed,
        {
          summary: `traffic cost ${Math.round(computed.costBefore)} can drop by ${gainPct.toFixed(1)} %`,
          metric: "traffic-cost",
          observed: computed.costBefore,
          threshold: p.minGainPct,
        },
        { ...p, seed },
      ),
    };
  },
};
