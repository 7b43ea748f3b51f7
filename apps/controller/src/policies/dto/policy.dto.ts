import { z } from "zod";
import { POLICY_MODES } from "../live-policy";

export const updatePolicySchema = z
  .object({
    mode: z.enum(POLICY_MODES).optional(),
    intervalS: z.number().int().min(5).max(7 * 86_400).optional(),
    /** Merged into the policy's current parameters, then validated by the policy's own schema. */
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((b) => b.mode !== undefined || b.intervalS !== undefined || b.params !== undefined, { message: "nothing to change: give mode, intervalS or params" });
export type UpdatePolicy = z.infer<typeof updatePolicySchema>;
