import type { z } from "zod";
import type { Plan, PlanStep } from "../generated/prisma/client";
import type { planSchema } from "./dto/plan.answer";

type Prediction = { totalMs?: number; downtimeMs?: number };

/**
 * A plan as the API shows it: why it exists, the moves in order (each with its reason, technique, predicted
 * cost, the capacity it leaves and the steps it waits for), what it gains, and the VMs it could not move.
 */
export function planView(plan: Plan & { steps: PlanStep[] }, names: { nodes: Map<string, string>; vms: Map<string, string> }): z.infer<typeof planSchema> {
  const predictions = plan.steps.map((s) => s.prediction as Prediction);
  const explanation = plan.explanation as { blocked?: { vmId: string; reason: string }[] } & Record<string, unknown>;
  return {
    id: plan.id,
    kind: plan.kind,
    policy: plan.policy,
    mode: plan.mode,
    priority: plan.priority,
    state: plan.state,
    reason: plan.reason,
    createdBy: plan.createdBy,
    createdAt: plan.createdAt.toISOString(),
    approvedBy: plan.approvedBy,
    approvedAt: plan.approvedAt?.toISOString() ?? null,
    appliedBy: plan.appliedBy,
    appliedAt: plan.appliedAt?.toISOString() ?? null,
    finishedAt: plan.finishedAt?.toISOString() ?? null,
    expiresAt: plan.expiresAt?.toISOString() ?? null,
    baseVersion: plan.baseVersion,
    scope: { vmIds: plan.scopeVmIds, nodeIds: plan.scopeNodeIds },
    params: plan.params,
    costBefore: plan.costBefore,
    costAfter: plan.costAfter,
    gain: plan.costBefore - plan.costAfter,
    gainPct: plan.costBefore > 0 ? (100 * (plan.costBefore - plan.costAfter)) / plan.costBefore : 0,
    expected: {
      migrations: plan.steps.length,
      memoryMovedMiB: plan.steps.reduce((sum, s) => sum + s.memMiB, 0),
      migrationMs: predictions.reduce((sum, p) => sum + (p.totalMs ?? 0), 0),
      worstDowntimeMs: Math.max(0, ...predictions.map((p) => p.downtimeMs ?? 0)),
    },
    blocked: (explanation.blocked ?? []).map((b) => ({ vm: { id: b.vmId, name: names.vms.get(b.vmId) ?? null }, reason: b.reason })),
    explanation: plan.explanation,
    error: plan.error,
    steps: plan.steps.map((s) => ({
      index: s.index,
      vm: { id: s.vmId, name: names.vms.get(s.vmId) ?? null },
      from: { id: s.fromNodeId, name: names.nodes.get(s.fromNodeId) ?? null },
      to: { id: s.toNodeId, name: names.nodes.get(s.toNodeId) ?? null },
      memMiB: s.memMiB,
      reason: s.reason,
      gain: s.gain,
      technique: s.technique || null,
      techniqueOptions: s.techniqueOptions,
      prediction: s.prediction,
      capacityAfter: s.capacityAfter,
      rejected: s.rejected,
      dependsOn: s.dependsOn,
      state: s.state,
      migrationId: s.migrationId,
      error: s.error,
    })),
  };
}
