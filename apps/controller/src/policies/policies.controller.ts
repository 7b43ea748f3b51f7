import { Controller, Get, HttpCode, Param, Patch, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { ZodBody } from "../common/zod";
import { UpdatePolicy, updatePolicySchema } from "./dto/policy.dto";
import { PoliciesService } from "./policies.service";
import { PolicyRunner } from "./policy-runner";

@ApiTags("policies")
@ApiBearerAuth()
@Controller("api/v1/policies")
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly runner: PolicyRunner,
  ) {}

  @RequiresRole("viewer")
  @Get()
  list() {
    return this.policies.list();
  }

  @RequiresRole("viewer")
  @Get(":name")
  get(@Param("name") name: string) {
    return this.policies.get(name);
  }

  /** Change a policy's mode (off, dry-run, approve, auto), interval or parameters; validated and audited. */
  @RequiresRole("admin")
  @Patch(":name")
  update(@Param("name") name: string, @ZodBody(updatePolicySchema) body: UpdatePolicy, @CallerOf() caller: Caller) {
    return this.policies.update(name, body, caller.name);
  }

  /** Run a policy now, in its mode, whatever its interval (an off policy runs as dry-run). */
  @RequiresRole("admin")
  @Post(":name/run")
  @HttpCode(200)
  async run(@Param("name") name: string) {
    return this.runner.runNow(name);
  }
}
