import { completeReportSchema, failReportSchema, progressReportSchema, slaBreachSchema } from "@ferry/protocol";
import { z } from "zod";

/** Every report names the reporting node, which must be the migration's source. */
const fromNode = { nodeId: z.string().uuid("must be a UUID") };

export const claimBodySchema = z.object(fromNode);
export const progressBodySchema = progressReportSchema.extend(fromNode);
export const completeBodySchema = completeReportSchema.extend(fromNode);
export const failBodySchema = failReportSchema.extend(fromNode);
export const slaBreachBodySchema = slaBreachSchema.extend(fromNode);
