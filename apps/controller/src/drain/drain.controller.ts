import { Controller, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { DrainService } from "./drain.service";
import { Answer } from "../common/responses";
import { planDetailSchema } from "../plans/dto/plan.answer";

@ApiTags("nodes")
@ApiBearerAuth()
@Controller("api/v1/nodes")
export class DrainController {
  constructor(private readonly drains: DrainService) {}

  /** Empty the node for maintenance: 202 with the drain's plan, which starts at once. Cancel the plan to stop. */
  @ApiOperation({ summary: "Drain a node" })
  @Answer(202, "PlanDetail", planDetailSchema)
  @RequiresRole("operator")
  @Post(":id/drain")
  @HttpCode(202)
  drain(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.drains.drain(id, caller.name);
  }
}
