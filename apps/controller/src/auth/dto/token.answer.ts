import { z } from "zod";
import { ROLES } from "../../common/auth";
import { isoTime } from "../../common/responses";

export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdBy: z.string(),
  createdAt: isoTime,
  revokedAt: isoTime.nullable(),
});

export const createdTokenSchema = tokenSchema.extend({ token: z.string().describe("the secret, shown this once") });

export const tokenListSchema = z.object({ items: z.array(tokenSchema) });
