import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody, ZodQuery } from "../common/zod";
import { ApplyPlan, CreatePlan, PlanQuery, applyPlanSchema, createPlanSchema, planQuerySchema } from "./dto/plan.dto";
import { PlansService } from "./plans.service";
import { Answer } from "../common/responses";
import { planDetailSchema, planPageSchema } from "./dto/plan.answer";

/** Every plan, whatever made it: policies, drains, evacuations and operators' requests. */
@ApiTags("plans")
@ApiBearerAuth()
@Controller("api/v1/plans")
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @ApiOperation({ summary: "Create a plan" })
  @Answer(201, "PlanDetail", planDetailSchema)
  @RequiresRole("operator")
  @Post()
  @HttpCode(201)
  create(@ZodBody(createPlanSchema) body: CreatePlan, @CallerOf() caller: Caller) {
    return this.plans.create(body, caller.name);
  }

  @ApiOperation({ summary: "List plans" })
  @Answer(200, "PlanPage", planPageSchema)
  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(planQuerySchema) query: PlanQuery) {
    return this.plans.list(query);
  }

  @ApiOperation({ summary: "Get a plan" })
  @Answer(200, "PlanDetail", planDetailSchema)
  @RequiresRole("viewer")
  @Get(":id")
  get(@IdParam() id: string) {
    return this.plans.get(id);
  }

  /** Approve a proposed plan; it starts as soon as no applying plan shares a VM with it. */
  @ApiOperation({ summary: "Approve a plan" })
  @Answer(202, "PlanDetail", planDetailSchema)
  @RequiresRole("operator")
  @Post(":id/apply")
  @HttpCode(202)
  apply(@IdParam() id: string, @ZodBody(applyPlanSchema) body: ApplyPlan, @CallerOf() caller: Caller) {
    return this.plans.apply(id, body, caller.name);
  }

  /** Stop a plan: pending moves are skipped, migrations under way are cancelled. */
  @ApiOperation({ summary: "Cancel a plan" })
  @Answer(202, "PlanDetail", planDetailSchema)
  @RequiresRole("operator")
  @Post(":id/cancel")
  @HttpCode(202)
  cancel(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.plans.cancel(id, caller.name);
  }
}
