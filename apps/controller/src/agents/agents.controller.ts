import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiTags } from "@nestjs/swagger";
import { heartbeatSchema, registerNodeSchema, type Heartbeat, type RegisterNode } from "@ferry/protocol";
import { z } from "zod";
import { AgentAccess, Caller, CallerOf } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody } from "../common/zod";
import { AgentReportsService } from "../migrations/agent-reports.service";
import { NodesService } from "../nodes/nodes.service";
import { claimBodySchema, completeBodySchema, failBodySchema, progressBodySchema, slaBreachBodySchema } from "./dto/agent-reports.dto";

/** The routes node agents call: registration, heartbeats, and reports on the migrations they run. */
@ApiTags("agents")
@ApiBearerAuth()
@AgentAccess()
@Controller("api/v1/agents")
export class AgentsController {
  constructor(
    private readonly nodes: NodesService,
    private readonly migrations: AgentReportsService,
  ) {}

  @Post("register")
  @HttpCode(200)
  register(@ZodBody(registerNodeSchema) body: RegisterNode) {
    return this.nodes.register(body);
  }

  @Post("nodes/:id/heartbeat")
  @HttpCode(200)
  heartbeat(@IdParam() id: string, @ZodBody(heartbeatSchema) body: Heartbeat) {
    return this.nodes.heartbeat(id, body);
  }

  @Get("nodes/:id/vms")
  hostedVms(@IdParam() id: string) {
    return this.nodes.hostedVms(id);
  }

  @Post("migrations/:id/claim")
  @HttpCode(200)
  claim(@IdParam() id: string, @ZodBody(claimBodySchema) body: z.infer<typeof claimBodySchema>, @CallerOf() caller: Caller) {
    return this.migrations.claim(id, body.nodeId, caller.name, body.attemptId);
  }

  @Post("migrations/:id/progress")
  @HttpCode(200)
  progress(@IdParam() id: string, @ZodBody(progressBodySchema) body: z.infer<typeof progressBodySchema>) {
    const { nodeId, ...report } = body;
    return this.migrations.progress(id, nodeId, report);
  }

  @Post("migrations/:id/complete")
  @HttpCode(200)
  complete(@IdParam() id: string, @ZodBody(completeBodySchema) body: z.infer<typeof completeBodySchema>, @CallerOf() caller: Caller) {
    const { nodeId, ...report } = body;
    return this.migrations.complete(id, nodeId, report, caller.name);
  }

  @Post("migrations/:id/fail")
  @HttpCode(200)
  fail(@IdParam() id: string, @ZodBody(failBodySchema) body: z.infer<typeof failBodySchema>, @CallerOf() caller: Caller) {
    const { nodeId, ...report } = body;
    return this.migrations.fail(id, nodeId, report, caller.name);
  }

  @Post("migrations/:id/sla-breaches")
  @HttpCode(201)
  slaBreach(@IdParam() id: string, @ZodBody(slaBreachBodySchema) body: z.infer<typeof slaBreachBodySchema>, @CallerOf() caller: Caller) {
    const { nodeId, ...report } = body;
    return this.migrations.reportSlaBreach(id, nodeId, report, caller.name);
  }
}
