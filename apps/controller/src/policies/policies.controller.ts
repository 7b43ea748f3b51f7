import { Controller, Get, HttpCode, Param, Patch, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { ZodBody } from "../common/zod";
import { UpdatePolicy, updatePolicySchema } from "./dto/policy.dto";
import { PoliciesService } from "./policies.service";
import { PolicyRunner } from "./policy-runner";
import { Answer } from "../common/responses";
import { policyListSchema, policySchema } from "./dto/policy.answer";

@ApiTags("policies")
@ApiBearerAuth()
@Controller("api/v1/policies")
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly runner: PolicyRunner,
  ) {}

  @ApiOperation({ summary: "List policies" })
  @Answer(200, "PolicyList", policyListSchema)
  @RequiresRole("viewer")
  @Get()
  list() {
    return this.policies.list();
  }

  @ApiOperation({ summary: "Get a policy" })
  @Answer(200, "Policy", policySchema)
  @RequiresRole("viewer")
  @Get(":name")
  get(@Param("name") name: string) {
    return this.policies.get(name);
  }

  /** Change a policy's mode (off, dry-run, approve, auto), interval or parameters; validated and audited. */
  @ApiOperation({ summary: "Update a policy" })
  @Answer(200, "Policy", policySchema)
  @RequiresRole("admin")
  @Patch(":name")
  update(@Param("name") name: string, @ZodBody(updatePolicySchema) body: UpdatePolicy, @CallerOf() caller: Caller) {
    return this.policies.update(name, body, caller.name);
  }

  /** Run a policy now, in its mode, whatever its interval (an off policy runs as dry-run). */
  @ApiOperation({ summary: "Run a policy now" })
  @RequiresRole("admin")
  @Post(":name/run")
  @HttpCode(200)
  async run(@Param("name") name: string) {
    return this.runner.runNow(name);
  }
}
