import { z } from "zod";
import { pageQuerySchema } from "../../common/pagination";
import { bandwidthCapSchema } from "../../migrations/dto/migration.dto";
import { PLAN_KINDS, type PlanKind } from "../plan-kinds";

const weight = z.number().min(0).max(1000);

export const computePlanSchema = z
  .object({
    /** Hard limit on the moves in the plan (the descheduler's maxNoOfPodsToEvictTotal). */
    maxMigrations: z.number().int().min(1).max(500).default(10),
    maxMemoryMovedMiB: z.number().int().positive().optional(),
    timeLimitMs: z.number().int().min(10).max(30_000).default(1_000),
    /** Fixes the solver's random choices, for a plan that can be computed again; random when absent. */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    weights: z.object({ traffic: weight, balance: weight, energy: weight, migration: weight }).partial().strict().optional(),
  })
  .strict();
export type ComputePlan = z.infer<typeof computePlanSchema>;

export const applyPlanSchema = z
  .object({
    /** Run moves even when no technique is predicted to meet the VM's SLA. */
    acceptSlaBreach: z.boolean().default(false),
  })
  .strict();
export type ApplyPlan = z.infer<typeof applyPlanSchema>;

export const planQuerySchema = pageQuerySchema.extend({
  state: z.enum(["proposed", "approved", "applying", "succeeded", "failed", "cancelled", "superseded", "expired"]).optional(),
  kind: z.enum(PLAN_KINDS as [PlanKind, ...PlanKind[]]).optional(),
  policy: z.string().min(1).max(64).optional(),
});
export type PlanQuery = z.infer<typeof planQuerySchema>;

export const previewSchema = z
  .object({
    cpu: z.number().int().positive().max(1024),
    memMiB: z.number().int().positive().max(16 * 1024 * 1024),
    peers: z
      .array(z.object({ vmId: z.string().uuid("must be a UUID"), rateMbps: z.number().positive() }).strict())
      .max(1000)
      .default([]),
  })
  .strict();
export type Preview = z.infer<typeof previewSchema>;

/**
 * An operator's own plan: the traffic re-placement (as POST /placement/plans computes it), or an explicit
 * list of moves, priced and ordered like any policy's plan and shown before anything moves.
 */
export const createPlanSchema = z.discriminatedUnion("kind", [
  computePlanSchema.extend({ kind: z.literal("traffic") }).strict(),
  z
    .object({
      kind: z.literal("operator"),
      reason: z.string().min(1).max(200).default("operator request"),
      moves: z
        .array(z.object({ vmId: z.string().uuid("must be a UUID"), toNodeId: z.string().uuid("must be a UUID"), bandwidthMbps: bandwidthCapSchema.optional() }).strict())
        .min(1)
        .max(500),
    })
    .strict(),
]);
export type CreatePlan = z.infer<typeof createPlanSchema>;
