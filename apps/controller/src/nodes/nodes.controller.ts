import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody, ZodQuery } from "../common/zod";
import { PowerService } from "../power/power.service";
import { NodeQuery, nodeQuerySchema } from "./dto/node-query.dto";
import { PowerBody, powerBodySchema } from "./dto/power.dto";
import { NodesService } from "./nodes.service";
import { Answer } from "../common/responses";
import { nodePageSchema, nodeSchema } from "./dto/node.answer";

@ApiTags("nodes")
@ApiBearerAuth()
@Controller("api/v1/nodes")
export class NodesController {
  constructor(
    private readonly nodes: NodesService,
    private readonly power: PowerService,
  ) {}

  @ApiOperation({ summary: "List nodes" })
  @Answer(200, "NodePage", nodePageSchema)
  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(nodeQuerySchema) query: NodeQuery) {
    return this.nodes.list(query);
  }

  @ApiOperation({ summary: "Get a node" })
  @Answer(200, "Node", nodeSchema)
  @RequiresRole("viewer")
  @Get(":id")
  get(@IdParam() id: string) {
    return this.nodes.get(id);
  }

  @ApiOperation({ summary: "Cordon a node" })
  @Answer(200, "Node", nodeSchema)
  @RequiresRole("operator")
  @Post(":id/cordon")
  @HttpCode(200)
  cordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "cordon", caller.name);
  }

  @ApiOperation({ summary: "Uncordon a node" })
  @Answer(200, "Node", nodeSchema)
  @RequiresRole("operator")
  @Post(":id/uncordon")
  @HttpCode(200)
  uncordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "uncordon", caller.name);
  }

  @ApiOperation({ summary: "Put a node into maintenance" })
  @Answer(200, "Node", nodeSchema)
  @RequiresRole("operator")
  @Post(":id/maintenance/on")
  @HttpCode(200)
  maintenanceOn(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-on", caller.name);
  }

  @ApiOperation({ summary: "Take a node out of maintenance" })
  @Answer(200, "Node", nodeSchema)
  @RequiresRole("operator")
  @Post(":id/maintenance/off")
  @HttpCode(200)
  maintenanceOff(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-off", caller.name);
  }

  @ApiOperation({
    summary: "Switch a node off or on",
    description: "Off goes through the node's agent, and only when the node hosts no VM and no migration is under way; on wakes it.",
  })
  @RequiresRole("operator")
  @Answer(200, "Node", nodeSchema)
  @Post(":id/power")
  @HttpCode(200)
  async setPower(@IdParam() id: string, @ZodBody(powerBodySchema) body: PowerBody, @CallerOf() caller: Caller) {
    await this.power.set(id, body.state, caller.name);
    return this.nodes.get(id);
  }
}
