import { createPolicy, ferryMigrationPredictor, policyNames, type Strategy } from "@ferry/policies";
import { z } from "zod";
import type { UsageWindow } from "../live-policy";

/**
 * Parameters shared by balance and consolidate: which strategy of the policies library decides (Ferry's
 * forecast policy, or one of CloudSim's detector x selector heuristics), over what usage window, and the
 * anti-thrash rules.
 */
export const hostLoadParams = z
  .object({
    strategy: z
      .string()
      .refine((s) => policyNames().includes(s) && s !== "npa" && s !== "dvfs", { message: `one of ${policyNames().filter((n) => n !== "npa" && n !== "dvfs").join(", ")}` })
      .default("ferry"),
    /** The detector's safety parameter (or Ferry's forecast margin z); the strategy's default when absent. */
    safety: z.number().min(0).max(10).optional(),
    /** Each history point averages this many seconds of heartbeats. */
    sampleS: z.number().int().min(1).max(3600).default(60),
    /** History points the strategy reads (CloudSim's detectors need 12 before they leave their fallback). */
    historyPoints: z.number().int().min(1).max(288).default(12),
    holdS: z.number().int().min(0).max(7 * 86_400).default(1800),
    reversalS: z.number().int().min(0).max(7 * 86_400).default(6 * 3600),
    maxMoves: z.number().int().min(1).max(500).default(20),
  })
  .strict();
export type HostLoadParams = z.infer<typeof hostLoadParams>;

export function hostLoadWindow(p: HostLoadParams): UsageWindow {
  return { intervalS: p.sampleS, points: p.historyPoints };
}

/** The strategy object, built by the policies library's own registry: the one the simulator runs. */
export function hostLoadStrategy(p: HostLoadParams, link: { rttMs: number }): Strategy {
  return createPolicy(p.strategy, { ...(p.safety !== undefined ? { safety: p.safety } : {}), costModel: ferryMigrationPredictor({ rttMs: link.rttMs }) }).strategy;
}
