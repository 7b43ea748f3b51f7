import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodQuery } from "../common/zod";
import { NodeQuery, nodeQuerySchema } from "./dto/node-query.dto";
import { NodesService } from "./nodes.service";
import { Answer } from "../common/responses";
import { nodePageSchema, nodeSchema } from "./dto/node.answer";

@ApiTags("nodes")
@ApiBearerAuth()
@Controller("api/v1/nodes")
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @ApiOperation({ summary: "List nodes" })
  @Answer(200, "NodePage", nodePageSchema)
  @Get()
  list(@ZodQuery(nodeQuerySchema) query: NodeQuery) {
    return this.nodes.list(query);
  }

  @ApiOperation({ summary: "Get a node" })
  @Answer(200, "Node", nodeSchema)
  @Get(":id")
  get(@IdParam() id: string) {
    return this.nodes.get(id);
  }

  @ApiOperation({ summary: "Cordon a node" })
  @Answer(200, "Node", nodeSchema)
  @Post(":id/cordon")
  @HttpCode(200)
  cordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "cordon", caller.name);
  }

  @ApiOperation({ summary: "Uncordon a node" })
  @Answer(200, "Node", nodeSchema)
  @Post(":id/uncordon")
  @HttpCode(200)
  uncordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "uncordon", caller.name);
  }

  @ApiOperation({ summary: "Put a node into maintenance" })
  @Answer(200, "Node", nodeSchema)
  @Post(":id/maintenance/on")
  @HttpCode(200)
  maintenanceOn(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-on", caller.name);
  }

  @ApiOperation({ summary: "Take a node out of maintenance" })
  @Answer(200, "Node", nodeSchema)
  @Post(":id/maintenance/off")
  @HttpCode(200)
  maintenanceOff(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-off", caller.name);
  }
}
