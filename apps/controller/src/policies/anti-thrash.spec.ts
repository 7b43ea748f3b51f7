import { describe, expect, it } from "vitest";
import type { PlanDraft } from "../plans/plan-draft";
import { withoutThrash } from "./anti-thrash";
import type { RecentMove } from "./policy-input";

const now = new Date("2026-12-01T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const draft = (moves: [string, string, string][]): PlanDraft => ({
  kind: "balance",
  reason: { summary: "test" },
  moves: moves.map(([vmId, fromNodeId, toNodeId]) => ({ vmId, fromNodeId, toNodeId, reason: "", gain: 0 })),
  costBefore: 0,
  costAfter: 0,
});
const rules = { holdS: 600, reversalS: 3600 };

describe("withoutThrash", () => {
  it.each<{ name: string; recent: RecentMove[]; kept: string[]; reason?: RegExp }>([
    { name: "a VM that never moved goes", recent: [], kept: ["v1"] },
    {
      name: "a VM that moved within the hold time stays",
      recent: [{ vmId: "v1", fromNodeId: "c", toNodeId: "a", finishedAt: ago(300) }],
      kept: [],
      reason: /moved 300 s ago; hold time 600 s/,
    },
    {
      name: "after the hold time it may move on, but not back where it came from",
      recent: [{ vmId: "v1", fromNodeId: "b", toNodeId: "a", finishedAt: ago(900) }],
      kept: [],
      reason: /would return to a node it left/,
    },
    {
      name: "going back is allowed once the reversal window has passed",
      recent: [{ vmId: "v1", fromNodeId: "b", toNodeId: "a", finishedAt: ago(7200) }],
      kept: ["v1"],
    },
    {
      name: "only the VM's own history counts",
      recent: [{ vmId: "v2", fromNodeId: "b", toNodeId: "a", finishedAt: ago(10) }],
      kept: ["v1"],
    },
  ])("$name", ({ recent, kept, reason }) => {
    const out = withoutThrash(draft([["v1", "a", "b"]]), recent, now, rules);
    expect(out.moves.map((m) => m.vmId)).toEqual(kept);
    if (reason) expect(out.blocked?.[0]?.reason).toMatch(reason);
  });
});
