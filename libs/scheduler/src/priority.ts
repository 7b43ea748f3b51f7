import type { MoveClass, WaitingMove } from "./model";

/** Base rank of each class: evacuations, then drains, then SLA and starvation relief, then balancing, then traffic. */
export const CLASS_RANK: Readonly<Record<MoveClass, number>> = {
  evacuate: 4,
  drain: 3,
  sla: 2,
  starvation: 2,
  balance: 1,
  consolidate: 1,
  traffic: 0,
};

/**
 * Aging stops at the drains' rank: a move that has waited long enough competes with drains (and, once starving,
 * goes before newer ones), but never overtakes an evacuation, whose VMs are on a failing host.
 */
export const MAX_AGED_RANK = CLASS_RANK.drain;

export interface AgingRule {
  readonly agingStepMs: number;
  readonly starvationMs: number;
}

/** The class rank plus one per aging step waited, bounded by MAX_AGED_RANK (never lowering a class above it). */
export function effectiveRank(move: Pick<WaitingMove, "moveClass" | "enqueuedAtMs">, nowMs: number, rule: AgingRule): number {
  const base = CLASS_RANK[move.moveClass];
  if (base >= MAX_AGED_RANK) return base;
  const steps = Math.floor(Math.max(0, nowMs - move.enqueuedAtMs) / rule.agingStepMs);
  return Math.min(MAX_AGED_RANK, base + steps);
}

export function isStarving(move: Pick<WaitingMove, "enqueuedAtMs">, nowMs: number, rule: AgingRule): boolean {
  return nowMs - move.enqueuedAtMs >= rule.starvationMs;
}
