import type { NodeState } from "@ferry/protocol";

export type NodeAction = "cordon" | "uncordon" | "maintenance-on" | "maintenance-off" | "drain";

/**
 * Operator actions on a node: from which states each is allowed and where it leads. An action on a node
 * already in its target state is a no-op (so retries are safe). Failed nodes change state only through their
 * agent (heartbeats resume); off and waking nodes only through power/ (power.service.ts).
 */
const TABLE: Record<NodeAction, { to: NodeState; from: readonly NodeState[] }> = {
  cordon: { to: "cordoned", from: ["active"] },
  uncordon: { to: "active", from: ["cordoned"] },
  "maintenance-on": { to: "maintenance", from: ["active", "cordoned", "draining"] },
  "maintenance-off": { to: "active", from: ["maintenance"] },
  // A drained node ends in maintenance (plans/plan-executor.ts); a drain that could not finish can be started again.
  drain: { to: "draining", from: ["active", "cordoned"] },
};

export type Transition = { ok: true; to: NodeState; changed: boolean } | { ok: false; reason: string };

export function transition(current: NodeState, action: NodeAction): Transition {
  const rule = TABLE[action];
  if (current === rule.to) return { ok: true, to: rule.to, changed: false };
  if (rule.from.includes(current)) return { ok: true, to: rule.to, changed: true };
  return { ok: false, reason: `${action} needs a node in state ${rule.from.join(" or ")}, not ${current}` };
}
