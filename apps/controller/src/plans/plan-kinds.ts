/**
 * What made a plan, and how urgent its moves are. Evacuations and drains go before everything else (a node
 * is leaving), SLA and starvation fixes before optimisations, and the traffic re-placement last: it only
 * gains, it never repairs. Operators' own plans sit between repairs and optimisations.
 */
export const PLAN_PRIORITY = {
  evacuate: 100,
  drain: 90,
  "sla-network": 70,
  starvation: 70,
  operator: 60,
  balance: 50,
  consolidate: 40,
  traffic: 30,
} as const;

export type PlanKind = keyof typeof PLAN_PRIORITY;

export const PLAN_KINDS = Object.keys(PLAN_PRIORITY) as PlanKind[];

/** Kinds whose remaining moves go on when one fails: a node must be emptied even if one VM cannot leave. */
export const CONTINUE_ON_FAILURE: ReadonlySet<PlanKind> = new Set(["evacuate", "drain"]);
