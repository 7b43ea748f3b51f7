import { z } from "zod";
import { isoTime, json } from "../../common/responses";
import { POLICY_MODES } from "../live-policy";

export const policySchema = z.object({
  name: z.string(),
  description: z.string(),
  mode: z.enum(POLICY_MODES),
  intervalS: z.number(),
  params: json,
  updatedBy: z.string().nullable(),
  updatedAt: isoTime,
  lastRunAt: isoTime.nullable(),
  lastRun: json,
});

export const policyListSchema = z.object({ items: z.array(policySchema) });
