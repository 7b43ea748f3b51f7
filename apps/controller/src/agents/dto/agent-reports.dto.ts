import { completeReportSchema, failReportSchema, progressReportSchema, slaBreachSchema } from "@ferry/protocol";
import { z } from "zod";

/** Every report names the reporting node: the one its credential names, and the migration's source. */
const fromNode = { nodeId: z.string().uuid("must be a UUID") };

/**
 * `attemptId` names one run of the job on the agent (drawn afresh for each run): the same attempt claiming
 * again gets the same answer. A claim without it counts as a new attempt.
 */
export const claimBodySchema = z.object({ ...fromNode, attemptId: z.string().uuid("must be a UUID").optional() });
export const progressBodySchema = progressReportSchema.extend(fromNode);
export const completeBodySchema = completeReportSchema.extend(fromNode);
export const failBodySchema = failReportSchema.extend(fromNode);
export const slaBreachBodySchema = slaBreachSchema.extend(fromNode);
