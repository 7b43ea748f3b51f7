import { z } from "zod";
import { drainDraft } from "../../drain/drain-plan";
import type { PlanDraft } from "../../plans/plan-draft";
import type { LivePolicy } from "../live-policy";

const params = z
  .object({
    /** A node whose heartbeats over the window fall below this share of those expected is about to fail. */
    heartbeatShareBelow: z.number().min(0).max(1).default(0.5),
    /** ... and it is trusted again once they are back above this share (hysteresis). */
    heartbeatShareAbove: z.number().min(0).max(1).default(0.8),
    /** The window the share is measured over. */
    windowS: z.number().int().min(10).max(3600).default(60),
    /** VMs of a node that did fail are cold-restarted elsewhere this long after it failed (recovery/cold-restart.ts). */
    restartGraceS: z.number().int().min(0).max(86_400).default(60),
  })
  .strict()
  .refine((p) => p.heartbeatShareAbove >= p.heartbeatShareBelow, { message: "heartbeatShareAbove must be >= heartbeatShareBelow", path: ["heartbeatShareAbove"] });
type EvacuateParams = z.infer<typeof params>;

/**
 * Empties nodes that look about to fail, before they do: a node whose heartbeats over the window thin out
 * below `heartbeatShareBelow` of those expected (a flapping NIC, an overloaded or dying host) is evacuated
 * like a drain, its VMs placed by the engine elsewhere. A node already evacuating is judged against
 * `heartbeatShareAbove` instead, so one good minute does not stop an evacuation half-way. When more than half
 * the nodes look quiet at once it does nothing: that is the controller's view failing, not the nodes. Nodes that
 * did fail are the cold restart's (recovery/), which this policy's mode also governs.
 */
export const evacuate: LivePolicy<EvacuateParams> = {
  name: "evacuate",
  description: "empties nodes whose heartbeats are deteriorating, before they fail; restarts the VMs of failed nodes elsewhere",
  defaults: { mode: "auto", intervalS: 30 },
  params,
  window: (p) => ({ intervalS: p.windowS, points: 1 }),
  propose(input, p) {
    const atRisk = input.nodes.filter((n) => {
      const share = n.health?.heartbeatShare;
      if (n.state !== "active" || share === undefined) return false;
      return share < (n.health?.evacuating ? p.heartbeatShareAbove : p.heartbeatShareBelow);
    });
    if (!atRisk.length) return { none: "no node's heartbeats are deteriorating" };
    // When most nodes go quiet at once, the likelier cause is on the controller's side (its own restart, Redis or
    // PostgreSQL away): evacuating them all would move the whole cluster for nothing.
    const judged = input.nodes.filter((n) => n.state === "active" && n.health?.heartbeatShare !== undefined);
    if (atRisk.length * 2 > judged.length) {
      return { none: `${atRisk.length} of ${judged.length} nodes look quiet at once: more likely the controller's view than the nodes; not evacuating` };
    }
    const risky = new Set(atRisk.map((n) => n.id));
    // The engine must send nothing to a node it is emptying: to it, those nodes are cordoned.
    const placement = { ...input.placement, hosts: input.placement.hosts.map((h) => (risky.has(h.id) ? { ...h, state: "cordoned" as const } : h)) };
    const drafts: PlanDraft[] = atRisk.map((n) =>
      drainDraft(
        placement,
        n.id,
        input.vms
          .filter((v) => v.nodeId === n.id && v.state === "running")
          .map((v) => ({ ...v, slaMaxDowntimeMs: v.slaMaxDowntimeMs ?? null, slaMaxTotalMs: v.slaMaxTotalMs ?? null, allowPostCopy: v.allowPostCopy ?? false })),
        input.link,
        `node ${n.name} sent ${Math.round((n.health!.heartbeatShare ?? 0) * 100)} % of its heartbeats over the last ${p.windowS} s`,
        "evacuate",
      ),
    );
    return {
      draft: {
        kind: "evacuate",
        reason: {
          summary: `${atRisk.length} node(s) predicted to fail: ${atRisk.map((n) => n.name).join(", ")}`,
          metric: "heartbeat-share",
          threshold: p.heartbeatShareBelow,
          windowS: p.windowS,
          nodes: atRisk.map((n) => ({ nodeId: n.id, heartbeatShare: n.health!.heartbeatShare })),
        },
        moves: drafts.flatMap((d) => d.moves),
        blocked: drafts.flatMap((d) => d.blocked ?? []),
        costBefore: 0,
        costAfter: 0,
        nodeIds: atRisk.map((n) => n.id),
        params: p,
      },
    };
  },
};
