import { z } from "zod";
import { drainDraft } from "../../drain/drain-plan";
import type { PlanDraft } from "../../plans/plan-draft";
import type { LivePolicy } from "../live-policy";
import type { PolicyNode } from "../policy-input";
import { wakeFor } from "../wake-for";

const params = z
  .object({
    /** A node whose heartbeats over the window fall below this share of those expected is about to fail. */
    heartbeatShareBelow: z.number().min(0).max(1).default(0.5),
    /** ... and it is trusted again once they are back above this share (hysteresis). */
    heartbeatShareAbove: z.number().min(0).max(1).default(0.8),
    /** A node whose corrected memory errors rise faster than this over the window (errors per hour) is about to fail... */
    correctedErrorsPerHourAbove: z.number().min(0).max(1e9).default(60),
    /** ... when the count rose in at least this many of the window's heartbeats (one burst is not a trend)... */
    correctedErrorRisesAtLeast: z.number().int().min(1).max(10_000).default(3),
    /** ... and it is trusted again once they rise slower than this (hysteresis). */
    correctedErrorsPerHourBelow: z.number().min(0).max(1e9).default(10),
    /** A node whose every heartbeat over the window reports this temperature or more (°C) is about to fail... */
    temperatureAboveC: z.number().min(0).max(200).default(85),
    /** ... and it is trusted again once a heartbeat of the window reports less than this (hysteresis). */
    temperatureBelowC: z.number().min(0).max(200).default(80),
    /** The window every signal is measured over. */
    windowS: z.number().int().min(10).max(3600).default(60),
    /** VMs of a node that did fail are cold-restarted elsewhere this long after it failed (recovery/cold-restart.ts). */
    restartGraceS: z.number().int().min(0).max(86_400).default(60),
  })
  .strict()
  .refine((p) => p.heartbeatShareAbove >= p.heartbeatShareBelow, { message: "heartbeatShareAbove must be >= heartbeatShareBelow", path: ["heartbeatShareAbove"] })
  .refine((p) => p.correctedErrorsPerHourBelow <= p.correctedErrorsPerHourAbove, {
    message: "correctedErrorsPerHourBelow must be <= correctedErrorsPerHourAbove",
    path: ["correctedErrorsPerHourBelow"],
  })
  .refine((p) => p.temperatureBelowC <= p.temperatureAboveC, { message: "temperatureBelowC must be <= temperatureAboveC", path: ["temperatureBelowC"] });
type EvacuateParams = z.infer<typeof params>;

/** Why a node is predicted to fail: which metric crossed which threshold over the window, and what was seen. */
interface Finding {
  node: PolicyNode;
  metric: "heartbeat-share" | "corrected-memory-errors" | "temperature";
  threshold: number;
  observed: number;
  detail: string;
}

/** The heartbeat share over the window, against the threshold that applies (the higher one once evacuating). */
function heartbeatFinding(n: PolicyNode, p: EvacuateParams): Finding | null {
  const share = n.health?.heartbeatShare;
  if (share === undefined) return null;
  const threshold = n.health?.evacuating ? p.heartbeatShareAbove : p.heartbeatShareBelow;
  if (share >= threshold) return null;
  return { node: n, metric: "heartbeat-share", threshold, observed: share, detail: `node ${n.name} sent ${Math.round(share * 100)} % of its heartbeats over the last ${p.windowS} s` };
}

/**
 * Corrected memory errors over the window: their rate from the first heartbeat's count to the last's, in
 * errors per hour, when the count rose in enough heartbeats to be a trend. Once evacuating, the lower rate applies.
 */
function memoryFinding(n: PolicyNode, p: EvacuateParams): Finding | null {
  const errors = n.health?.correctedMemoryErrors;
  if (!errors) return null;
  const perHour = (Math.max(0, errors.last - errors.first) * 3600) / p.windowS;
  const evacuating = n.health?.evacuating ?? false;
  const threshold = evacuating ? p.correctedErrorsPerHourBelow : p.correctedErrorsPerHourAbove;
  if (perHour <= threshold || (!evacuating && errors.rises < p.correctedErrorRisesAtLeast)) return null;
  return {
    node: n,
    metric: "corrected-memory-errors",
    threshold,
    observed: perHour,
    detail: `node ${n.name}'s corrected memory errors rose at ${Math.round(perHour)}/h (in ${errors.rises} heartbeats) over the last ${p.windowS} s, above ${threshold}/h`,
  };
}

/** Temperature: every heartbeat of the window at or above the threshold (the lower one once evacuating). */
function temperatureFinding(n: PolicyNode, p: EvacuateParams): Finding | null {
  const t = n.health?.temperatureC;
  if (!t) return null;
  const threshold = n.health?.evacuating ? p.temperatureBelowC : p.temperatureAboveC;
  if (t.min < threshold) return null;
  return { node: n, metric: "temperature", threshold, observed: t.min, detail: `node ${n.name} stayed at or above ${threshold} °C (lowest ${t.min} °C) over the last ${p.windowS} s` };
}

/**
 * Empties nodes that look about to fail, before they do, like a drain, their VMs placed by the engine
 * elsewhere. Three signals, each over the window: heartbeats thinning out below `heartbeatShareBelow` of
 * those expected (a flapping NIC, an overloaded or dying host); corrected memory errors rising faster than
 * `correctedErrorsPerHourAbove`, in at least `correctedErrorRisesAtLeast` heartbeats (a failing DIMM); and a
 * temperature at or above `temperatureAboveC` in every heartbeat (failed cooling). A single spike never
 * crosses them. A node already evacuating is judged against the second threshold of each (hysteresis), so one
 * good minute does not stop an evacuation half-way. When more than half the nodes look quiet at once their
 * heartbeats are not trusted: that is the controller's view failing, not the nodes. When a VM has nowhere to go,
 * a switched-off node that can take it is woken. Nodes that did fail are the cold restart's (recovery/), which
 * this policy's mode also governs.
 */
export const evacuate: LivePolicy<EvacuateParams> = {
  name: "evacuate",
  description: "empties nodes predicted to fail (heartbeats thinning out, rising corrected memory errors, running hot); restarts the VMs of failed nodes elsewhere",
  defaults: { mode: "auto", intervalS: 30 },
  params,
  window: (p) => ({ intervalS: p.windowS, points: 1 }),
  propose(input, p) {
    const active = input.nodes.filter((n) => n.state === "active");
    const quiet = active.map((n) => heartbeatFinding(n, p)).filter((f): f is Finding => f !== null);
    // When most nodes go quiet at once, the likelier cause is on the controller's side (its own restart, Redis or
    // PostgreSQL away): evacuating them all would move the whole cluster for nothing.
    const judged = active.filter((n) => n.health?.heartbeatShare !== undefined);
    const quietTrusted = quiet.length * 2 <= judged.length;
    const findings = [...(quietTrusted ? quiet : [])];
    for (const n of active) {
      if (findings.some((f) => f.node.id === n.id)) continue;
      const f = memoryFinding(n, p) ?? temperatureFinding(n, p);
      if (f) findings.push(f);
    }
    if (!findings.length) {
      return {
        none: quietTrusted
          ? "no node's heartbeats, corrected memory errors or temperature predict a failure"
          : `${quiet.length} of ${judged.length} nodes look quiet at once: more likely the controller's view than the nodes; not evacuating`,
      };
    }
    const risky = new Set(findings.map((f) => f.node.id));
    // The engine must send nothing to a node it is emptying: to it, those nodes are cordoned.
    const placement = { ...input.placement, hosts: input.placement.hosts.map((h) => (risky.has(h.id) ? { ...h, state: "cordoned" as const } : h)) };
    const drafts: PlanDraft[] = findings.map((f) =>
      drainDraft(
        placement,
        f.node.id,
        input.vms
          .filter((v) => v.nodeId === f.node.id && v.state === "running")
          .map((v) => ({ ...v, slaMaxDowntimeMs: v.slaMaxDowntimeMs ?? null, slaMaxTotalMs: v.slaMaxTotalMs ?? null, allowPostCopy: v.allowPostCopy ?? false })),
        input.link,
        f.detail,
        "evacuate",
      ),
    );
    const blocked = drafts.flatMap((d) => d.blocked ?? []);
    const [largest] = input.vms
      .filter((v) => blocked.some((b) => b.vmId === v.id && b.reason.startsWith("no node takes it")))
      .sort((a, b) => b.memMiB - a.memMiB || b.cpu - a.cpu);
    const wake = largest ? wakeFor(input.nodes, largest, `VM ${largest.name} must leave a node predicted to fail and no running node takes it`) : undefined;
    const metrics = [...new Set(findings.map((f) => f.metric))];
    return {
      ...(wake ? { wake } : {}),
      draft: {
        kind: "evacuate",
        reason: {
          summary: `${findings.length} node(s) predicted to fail: ${findings.map((f) => f.detail).join("; ")}`,
          metric: metrics.length === 1 ? metrics[0] : metrics.join(", "),
          ...(findings.length === 1 ? { threshold: findings[0]!.threshold, observed: findings[0]!.observed } : {}),
          windowS: p.windowS,
          nodes: findings.map((f) => ({ nodeId: f.node.id, metric: f.metric, threshold: f.threshold, observed: f.observed })),
        },
        moves: drafts.flatMap((d) => d.moves),
        blocked,
        costBefore: 0,
        costAfter: 0,
        nodeIds: findings.map((f) => f.node.id),
        params: p,
      },
    };
  },
};
