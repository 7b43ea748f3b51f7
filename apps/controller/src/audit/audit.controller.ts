import { Controller, Get } from "@nestjs/common";
import { ApiBearerAuth, ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { ZodQuery } from "../common/zod";
import { AuditService } from "./audit.service";

const auditQuerySchema = z.object({
  targetType: z.enum(["node", "vm", "migration", "traffic", "plan"]).optional(),
  targetId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d+$/, "cursor must be a value returned as nextCursor").optional(),
});

@ApiTags("audit")
@ApiBearerAuth()
@Controller("api/v1/audit")
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@ZodQuery(auditQuerySchema) query: z.infer<typeof auditQuerySchema>) {
    const rows = await this.audit.list(query);
    const more = rows.length > query.limit;
    const kept = more ? rows.slice(0, query.limit) : rows;
    return {
      items: kept.map((r) => ({
        id: r.id.toString(),
        at: r.at.toISOString(),
        actor: r.actor,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        details: r.details,
      })),
      nextCursor: more ? kept[kept.length - 1]!.id.toString() : null,
    };
  }
}
