import type { MoveReason, Plan as StrategyPlan } from "@ferry/policies";
import type { PlanDraft } from "../plans/plan-draft";
import type { PlanKind } from "../plans/plan-kinds";

/**
 * A policies-library plan as a plan draft, keeping the moves made for one reason: the same strategy object
 * relieves overloaded hosts (balance) and empties under-loaded ones (consolidate), and each live policy
 * takes its own part. The strategy's per-host findings become the plan's reason.
 */
export function strategyDraft(plan: StrategyPlan, kind: PlanKind, keep: MoveReason, window: { windowS: number }): PlanDraft {
  const moves = plan.moves.filter((m) => m.reason === keep);
  const findingKind = keep === "host-overloaded" ? "overloaded" : "underloaded-evacuated";
  const findings = plan.findings.filter((f) => f.kind === findingKind);
  const emptied = keep === "host-underloaded" ? plan.switchOff.filter((h) => moves.some((m) => m.fromHostId === h)) : [];
  return {
    kind,
    reason: {
      summary:
        keep === "host-overloaded"
          ? `${findings.length} node(s) overloaded over the last ${window.windowS} s`
          : `${emptied.length} under-loaded node(s) can be emptied and switched off`,
      metric: "cpu-utilisation",
      windowS: window.windowS,
      strategy: plan.strategy,
      findings: findings.map((f) => ({ nodeId: f.hostId, detail: f.detail })),
    },
    moves: moves.map((m) => ({ vmId: m.vmId, fromNodeId: m.fromHostId, toNodeId: m.toHostId, reason: m.detail, gain: 0 })),
    costBefore: 0,
    costAfter: 0,
    explanation: { strategy: plan.strategy, switchOn: plan.switchOn, switchOff: emptied, findings: plan.findings },
    nodeIds: [...plan.switchOn, ...emptied],
  };
}
