import type { z } from "zod";
import type { ClusterSnapshot as PlacementSnapshot } from "../placement/cluster-snapshot";
import type { PlanDraft } from "../plans/plan-draft";
import type { PolicyInput } from "./policy-input";

export const POLICY_MODES = ["off", "dry-run", "approve", "auto"] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** What one run of a policy saw: usage over the window, and the placement engine's view of the cluster. */
export interface PolicyRunInput extends PolicyInput {
  placement: PlacementSnapshot;
}

/** A switched-off node a run needs powered on, because no running node has room for what it must move. */
export interface WakeRequest {
  nodeId: string;
  name: string;
  reason: string;
}

/**
 * A run proposes a plan, or says why it proposes none (nothing crossed a threshold, not enough history...),
 * and may ask for a switched-off node to be woken; the woken node takes VMs from a later run, once active.
 */
export type PolicyOutcome = ({ draft: PlanDraft } | { none: string }) & { wake?: WakeRequest };

/** How much usage history a run needs: `points` averages of `intervalS` each, the newest ending now. */
export interface UsageWindow {
  intervalS: number;
  points: number;
}

/**
 * A live policy (Watcher's strategy): a name, its parameters' schema with defaults, the usage window it
 * reads, and a pure `propose` that turns what it reads into a plan draft. It never acts: the runner stores
 * the draft as a plan in the policy's mode, and the plan executor applies it.
 */
export interface LivePolicy<P extends object = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly defaults: { mode: PolicyMode; intervalS: number };
  /** Validates a PATCH's params and fills in the defaults. */
  readonly params: z.ZodType<P>;
  window(params: P): UsageWindow;
  propose(input: PolicyRunInput, params: P): PolicyOutcome;
}
