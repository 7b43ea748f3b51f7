import type { NodeState } from "@ferry/protocol";
import { nodeToWake } from "../power/power-decisions";
import type { WakeRequest } from "./live-policy";
import type { PolicyNode } from "./policy-input";

/** The switched-off node to wake for `demand` that no running node has room for (power-decisions.ts), if any. */
export function wakeFor(nodes: readonly PolicyNode[], demand: { cpu: number; memMiB: number }, reason: string): WakeRequest | undefined {
  const choice = nodeToWake(
    nodes.map((n) => ({ ...n, state: n.state as NodeState })),
    demand,
  );
  return "none" in choice ? undefined : { nodeId: choice.nodeId, name: choice.name, reason };
}
