import type { BlockedVm, DraftMove, PlanDraft } from "../plans/plan-draft";
import type { RecentMove } from "./policy-input";

export interface AntiThrashRules {
  /** No VM moves twice within this many seconds. */
  holdS: number;
  /** A VM does not go back to a node it left within this many seconds (no A->B->A). */
  reversalS: number;
}

export const ANTI_THRASH_DEFAULTS: AntiThrashRules = { holdS: 1800, reversalS: 6 * 3600 };

/**
 * Removes the moves that would make a policy thrash, and says why in the plan's blocked list: a VM that moved
 * within the hold time stays, and a VM never goes straight back to the node it left (A->B->A). Drains and
 * evacuations are exempt: a node that is leaving must be emptied whatever moved recently.
 */
export function withoutThrash(draft: PlanDraft, recent: readonly RecentMove[], now: Date, rules: AntiThrashRules): PlanDraft {
  const nowMs = now.getTime();
  const lastMove = new Map<string, RecentMove>();
  for (const m of recent) {
    const seen = lastMove.get(m.vmId);
    if (!seen || seen.finishedAt < m.finishedAt) lastMove.set(m.vmId, m);
  }
  const kept: DraftMove[] = [];
  const blocked: BlockedVm[] = [...(draft.blocked ?? [])];
  for (const move of draft.moves) {
    const last = lastMove.get(move.vmId);
    const agoS = last ? (nowMs - last.finishedAt.getTime()) / 1000 : Infinity;
    if (agoS < rules.holdS) {
      blocked.push({ vmId: move.vmId, reason: `moved ${Math.round(agoS)} s ago; hold time ${rules.holdS} s` });
    } else if (
      recent.some((m) => m.vmId === move.vmId && m.fromNodeId === move.toNodeId && (nowMs - m.finishedAt.getTime()) / 1000 < rules.reversalS)
    ) {
      blocked.push({ vmId: move.vmId, reason: `would return to a node it left less than ${rules.reversalS} s ago` });
    } else {
      kept.push(move);
    }
  }
  return { ...draft, moves: kept, blocked };
}
