import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { heartbeatSchema, registerNodeSchema, vmPlacementSchema, type Heartbeat, type RegisterNode } from "@ferry/protocol";
import { z } from "zod";
import { AgentAccess, AgentNode, AgentRegistration, Caller, CallerOf, actingFor } from "../common/auth";
import { IdParam } from "../common/params";
import { Answer } from "../common/responses";
import { ZodBody } from "../common/zod";
import { AgentReportsService } from "../migrations/agent-reports.service";
import { NodesService } from "../nodes/nodes.service";
import { claimBodySchema, completeBodySchema, failBodySchema, progressBodySchema, slaBreachBodySchema } from "./dto/agent-reports.dto";

/**
 * The routes node agents call: registration (with the bootstrap token, answered with the agent's own
 * credential), then heartbeats and reports, each with that credential and only for the node it names.
 */
@ApiTags("agents")
@ApiBearerAuth()
@AgentAccess()
@Controller("api/v1/agents")
export class AgentsController {
  constructor(
    private readonly nodes: NodesService,
    private readonly migrations: AgentReportsService,
  ) {}

  @ApiOperation({ summary: "Register a node (agent)" })
  @Post("register")
  @AgentRegistration()
  @HttpCode(200)
  register(@ZodBody(registerNodeSchema) body: RegisterNode) {
    return this.nodes.register(body);
  }

  @ApiOperation({ summary: "Send a node heartbeat (agent)" })
  @Post("nodes/:id/heartbeat")
  @HttpCode(200)
  heartbeat(@IdParam() id: string, @ZodBody(heartbeatSchema) body: Heartbeat, @AgentNode() node: string) {
    return this.nodes.heartbeat(actingFor(node, id), body);
  }

  @ApiOperation({ summary: "List the VMs a node hosts (agent)" })
  @Get("nodes/:id/vms")
  hostedVms(@IdParam() id: string, @AgentNode() node: string) {
    return this.nodes.hostedVms(actingFor(node, id));
  }

  @ApiOperation({ summary: "Get where a VM that runs or ran on the node is recorded (agent)" })
  @Answer(200, "VmPlacement", vmPlacementSchema)
  @Get("nodes/:id/vms/:vmId/placement")
  vmPlacement(@IdParam() id: string, @IdParam("vmId") vmId: string, @AgentNode() node: string) {
    return this.migrations.vmPlacement(vmId, actingFor(node, id));
  }

  @ApiOperation({ summary: "Claim a migration (agent)" })
  @Post("migrations/:id/claim")
  @HttpCode(200)
  claim(@IdParam() id: string, @ZodBody(claimBodySchema) body: z.infer<typeof claimBodySchema>, @AgentNode() node: string, @CallerOf() caller: Caller) {
    return this.migrations.claim(id, actingFor(node, body.nodeId), caller.name, body.attemptId);
  }

  @ApiOperation({ summary: "Get a running migration's transfer secret (agent: its source or target)" })
  @Get("migrations/:id/transfer")
  transfer(@IdParam() id: string, @AgentNode() node: string) {
    return this.migrations.transferGrant(id, node);
  }

  @ApiOperation({ summary: "Report migration progress (agent)" })
  @Post("migrations/:id/progress")
  @HttpCode(200)
  progress(@IdParam() id: string, @ZodBody(progressBodySchema) body: z.infer<typeof progressBodySchema>, @AgentNode() node: string) {
    const { nodeId, ...report } = body;
    return this.migrations.progress(id, actingFor(node, nodeId), report);
  }

  @ApiOperation({ summary: "Report a migration completed (agent)" })
  @Post("migrations/:id/complete")
  @HttpCode(200)
  complete(
    @IdParam() id: string,
    @ZodBody(completeBodySchema) body: z.infer<typeof completeBodySchema>,
    @AgentNode() node: string,
    @CallerOf() caller: Caller,
  ) {
    const { nodeId, ...report } = body;
    return this.migrations.complete(id, actingFor(node, nodeId), report, caller.name);
  }

  @ApiOperation({ summary: "Report a migration failed (agent)" })
  @Post("migrations/:id/fail")
  @HttpCode(200)
  fail(@IdParam() id: string, @ZodBody(failBodySchema) body: z.infer<typeof failBodySchema>, @AgentNode() node: string, @CallerOf() caller: Caller) {
    const { nodeId, ...report } = body;
    return this.migrations.fail(id, actingFor(node, nodeId), report, caller.name);
  }

  @ApiOperation({ summary: "Report an SLA breach during a migration (agent)" })
  @Post("migrations/:id/sla-breaches")
  @HttpCode(201)
  slaBreach(
    @IdParam() id: string,
    @ZodBody(slaBreachBodySchema) body: z.infer<typeof slaBreachBodySchema>,
    @AgentNode() node: string,
    @CallerOf() caller: Caller,
  ) {
    const { nodeId, ...report } = body;
    return this.migrations.reportSlaBreach(id, actingFor(node, nodeId), report, caller.name);
  }
}
