import type { Plan, PlanStep } from "../generated/prisma/client";

type Prediction = { totalMs?: number; downtimeMs?: number };

/** A plan as the API shows it: the moves in order, what each is predicted to cost, and what the plan gains. */
export function planView(plan: Plan & { steps: PlanStep[] }, names: { nodes: Map<string, string>; vms: Map<string, string> }) {
  const predictions = plan.steps.map((s) => s.prediction as Prediction);
  return {
    id: plan.id,
    kind: plan.kind,
    state: plan.state,
    createdBy: plan.createdBy,
    createdAt: plan.createdAt.toISOString(),
    appliedBy: plan.appliedBy,
    appliedAt: plan.appliedAt?.toISOString() ?? null,
    finishedAt: plan.finishedAt?.toISOString() ?? null,
    baseVersion: plan.baseVersion,
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
    explanation: plan.explanation,
    error: plan.error,
    steps: plan.steps.map((s) => ({
      index: s.index,
      vm: { id: s.vmId, name: names.vms.get(s.vmId) ?? null },
      from: { id: s.fromNodeId, name: names.nodes.get(s.fromNodeId) ?? null },
      to: { id: s.toNodeId, name: names.nodes.get(s.toNodeId) ?? null },
      memMiB: s.memMiB,
      gain: s.gain,
      technique: s.technique || null,
      techniqueOptions: s.techniqueOptions,
      prediction: s.prediction,
      state: s.state,
      migrationId: s.migrationId,
      error: s.error,
    })),
  };
}
