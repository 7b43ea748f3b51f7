import { z } from "zod";
import { ROLES } from "../../common/auth";

/** The operator a token belongs to: the name the audit log records, and its role. */
export const whoAmISchema = z.object({ name: z.string(), role: z.enum(ROLES) });
export type WhoAmI = z.infer<typeof whoAmISchema>;
