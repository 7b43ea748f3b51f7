import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody, ZodQuery } from "../common/zod";
import { ApplyPlan, ComputePlan, PlanQuery, Preview, applyPlanSchema, computePlanSchema, planQuerySchema, previewSchema } from "./dto/plan.dto";
import { PlansService } from "./plans.service";
import { Answer } from "../common/responses";
import { planDetailSchema, planPageSchema } from "./dto/plan.answer";

/**
 * The placement routes as they were before plans covered every policy: the preview, and the traffic plans
 * under /placement/plans, which are the same plans /plans serves.
 */
@ApiTags("placement")
@ApiBearerAuth()
@Controller("api/v1/placement")
export class PlacementPlansController {
  constructor(private readonly plans: PlansService) {}

  /** Dry run of a new VM's placement: the node it would get and every node's verdict. */
  @ApiOperation({ summary: "Preview where a new VM would be placed" })
  @RequiresRole("viewer")
  @Post("preview")
  @HttpCode(200)
  preview(@ZodBody(previewSchema) body: Preview) {
    return this.plans.preview(body);
  }

  @ApiOperation({ summary: "Compute a traffic placement plan" })
  @Answer(201, "PlanDetail", planDetailSchema)
  @RequiresRole("operator")
  @Post("plans")
  @HttpCode(201)
  compute(@ZodBody(computePlanSchema) body: ComputePlan, @CallerOf() caller: Caller) {
    return this.plans.compute(body, caller.name);
  }

  @ApiOperation({ summary: "List traffic placement plans" })
  @Answer(200, "PlanPage", planPageSchema)
  @RequiresRole("viewer")
  @Get("plans")
  list(@ZodQuery(planQuerySchema) query: PlanQuery) {
    return this.plans.list(query);
  }

  @ApiOperation({ summary: "Get a traffic placement plan" })
  @Answer(200, "PlanDetail", planDetailSchema)
  @RequiresRole("viewer")
  @Get("plans/:id")
  get(@IdParam() id: string) {
    return this.plans.get(id);
  }

  @ApiOperation({ summary: "Approve a traffic placement plan" })
  @Answer(202, "PlanDetail", planDetailSchema)
  @RequiresRole("operator")
  @Post("plans/:id/apply")
  @HttpCode(202)
  apply(@IdParam() id: string, @ZodBody(applyPlanSchema) body: ApplyPlan, @CallerOf() caller: Caller) {
    return this.plans.apply(id, body, caller.name);
  }

  @ApiOperation({ summary: "Cancel a traffic placement plan" })
  @Answer(202, "PlanDetail", planDetailSchema)
  @RequiresRole("operator")
  @Post("plans/:id/cancel")
  @HttpCode(202)
  cancel(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.plans.cancel(id, caller.name);
  }
}
