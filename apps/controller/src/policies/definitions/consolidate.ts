import type { LivePolicy } from "../live-policy";
import { hostLoadPlan } from "./balance";
import { hostLoadParams, hostLoadWindow, type HostLoadParams } from "./host-load";

/**
 * Empties under-loaded nodes so they can be switched off: the same strategy as balance, keeping the moves it
 * makes to evacuate nodes whose forecast load is low (Ferry's policy empties a node only when every VM fits on
 * a running node, in at most `maxEvacuationMoves`, and none of them arrived within its hold time). The nodes
 * left empty are listed in the plan's explanation as `switchOff`, and switched off through their agents when
 * the plan ends (plans/plan-executor.ts).
 */
export const consolidate: LivePolicy<HostLoadParams> = {
  name: "consolidate",
  description: "empties under-loaded nodes onto the others, then switches the emptied nodes off",
  defaults: { mode: "auto", intervalS: 600 },
  params: hostLoadParams,
  window: hostLoadWindow,
  propose(input, p) {
    return hostLoadPlan(input, p, "consolidate");
  },
};
