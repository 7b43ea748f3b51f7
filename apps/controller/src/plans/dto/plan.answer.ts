import { z } from "zod";
import { isoTime, json, pageOf } from "../../common/responses";

const named = z.object({ id: z.string(), name: z.string().nullable() });

export const planSchema = z.object({
  id: z.string(),
  kind: z.string(),
  policy: z.string().nullable(),
  mode: z.string(),
  priority: z.number(),
  state: z.string(),
  reason: json,
  createdBy: z.string(),
  createdAt: isoTime,
  approvedBy: z.string().nullable(),
  approvedAt: isoTime.nullable(),
  appliedBy: z.string().nullable(),
  appliedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
  expiresAt: isoTime.nullable(),
  baseVersion: z.string(),
  scope: z.object({ vmIds: z.array(z.string()), nodeIds: z.array(z.string()) }),
  params: json,
  costBefore: z.number(),
  costAfter: z.number(),
  gain: z.number(),
  gainPct: z.number(),
  expected: z.object({ migrations: z.number(), memoryMovedMiB: z.number(), migrationMs: z.number(), worstDowntimeMs: z.number() }),
  blocked: z.array(z.object({ vm: named, reason: z.string() })),
  explanation: json,
  error: z.string().nullable(),
  steps: z.array(
    z.object({
      index: z.number(),
      vm: named,
      from: named,
      to: named,
      memMiB: z.number(),
      reason: z.string(),
      gain: z.number(),
      technique: z.string().nullable(),
      techniqueOptions: json,
      prediction: json,
      capacityAfter: json,
      rejected: json,
      dependsOn: z.array(z.number()),
      state: z.string(),
      migrationId: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
});

export const planDetailSchema = planSchema.extend({
  progress: z.object({ percent: z.number(), stepsDone: z.number(), stepsTotal: z.number(), etaMs: z.number().nullable(), stalledSteps: z.number() }),
});

export const planPageSchema = pageOf(planSchema);
