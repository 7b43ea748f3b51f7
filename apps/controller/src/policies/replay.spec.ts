import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../database/provision";
import type { ClusterSnapshot as PlacementSnapshot } from "../placement/cluster-snapshot";
import { withoutThrash } from "./anti-thrash";
import { balance } from "./definitions/balance";
import { consolidate } from "./definitions/consolidate";
import type { PolicyRunInput } from "./live-policy";
import type { PolicyNode, RecentMove } from "./policy-input";

const TRACES = join(repoRoot(), "apps", "node-agent", "workloads", "planetlab-sample", "20110303");
const STEP_S = 300;

/**
 * A day of the shipped PlanetLab sample (50 VMs, 5-minute samples) through the live balance and consolidate
 * policies, every move applied at once, counting reversals (a VM back on a node it left within the reversal
 * window) and moves inside a VM's hold time.
 */
function replayDay(strategy: string, rules: { holdS: number; reversalS: number }) {
  const files = readdirSync(TRACES).sort();
  const traces = files.map((f) => readFileSync(join(TRACES, f), "utf8").trim().split("\n").map((l) => Number(l) / 100));
  const nodes: PolicyNode[] = Array.from({ length: 8 }, (_, i) => ({
    id: `n${i}`,
    name: `n${i}`,
    state: "active",
    cpu: 2,
    memMiB: 16_384,
    idleWatts: 100,
    peakWatts: 200,
    labels: {},
  }));
  const where = new Map(files.map((f, v) => [f, `n${v % nodes.length}`]));
  const recent: RecentMove[] = [];
  let moves = 0;
  let reversals = 0;
  let withinHold = 0;
  const params = { strategy, sampleS: STEP_S, historyPoints: 12, maxMoves: 20, ...rules };
  for (let k = 12; k < 288; k++) {
    const now = new Date(Date.UTC(2011, 2, 3) + k * STEP_S * 1000);
    const input: PolicyRunInput = {
      now,
      intervalS: STEP_S,
      nodes,
      vms: files.map((f, v) => ({ id: f, name: f, nodeId: where.get(f)!, state: "running", cpu: 1, memMiB: 1024, dirtyRateMiBps: 5, cpuHistory: traces[v]!.slice(k - 11, k + 1) })),
      traffic: [],
      recentMoves: recent,
      link: { bandwidthMbps: 1000, rttMs: 0.5 },
      placement: {} as PlacementSnapshot,
    };
    for (const policy of [balance, consolidate]) {
      const out = policy.propose(input, policy.params.parse(params));
      if (!("draft" in out)) continue;
      for (const m of withoutThrash(out.draft, recent, now, rules).moves) {
        const ago = (m2: RecentMove) => (now.getTime() - m2.finishedAt.getTime()) / 1000;
        if (recent.some((r) => r.vmId === m.vmId && r.fromNodeId === m.toNodeId && ago(r) < 6 * 3600)) reversals++;
        if (recent.some((r) => r.vmId === m.vmId && ago(r) < 1800)) withinHold++;
        recent.push({ vmId: m.vmId, fromNodeId: m.fromNodeId, toNodeId: m.toNodeId, finishedAt: now });
        where.set(m.vmId, m.toNodeId);
        moves++;
      }
    }
  }
  return { moves, reversals, withinHold };
}

describe("a day replayed through the live policies", () => {
  it.each(["thr-mmt", "lr-mmt", "ferry"])("%s: no reversal and no move inside the hold time", (strategy) => {
    const day = replayDay(strategy, { holdS: 1800, reversalS: 6 * 3600 });
    expect(day.moves).toBeGreaterThan(0);
    expect(day).toMatchObject({ reversals: 0, withinHold: 0 });
  });

  it("without the rules the same day does reverse moves, so the rules are what prevents it", () => {
    const day = replayDay("thr-mmt", { holdS: 0, reversalS: 0 });
    expect(day.reversals).toBeGreaterThan(0);
  });
});
