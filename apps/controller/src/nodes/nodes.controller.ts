import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodQuery } from "../common/zod";
import { NodeQuery, nodeQuerySchema } from "./dto/node-query.dto";
import { NodesService } from "./nodes.service";

@ApiTags("nodes")
@ApiBearerAuth()
@Controller("api/v1/nodes")
export class NodesController {
  constructor(private readonly nodes: NodesService) {}

  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(nodeQuerySchema) query: NodeQuery) {
    return this.nodes.list(query);
  }

  @RequiresRole("viewer")
  @Get(":id")
  get(@IdParam() id: string) {
    return this.nodes.get(id);
  }

  @RequiresRole("operator")
  @Post(":id/cordon")
  @HttpCode(200)
  cordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "cordon", caller.name);
  }

  @RequiresRole("operator")
  @Post(":id/uncordon")
  @HttpCode(200)
  uncordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "uncordon", caller.name);
  }

  @RequiresRole("operator")
  @Post(":id/maintenance/on")
  @HttpCode(200)
  maintenanceOn(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-on", caller.name);
  }

  @RequiresRole("operator")
  @Post(":id/maintenance/off")
  @HttpCode(200)
  maintenanceOff(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-off", caller.name);
  }
}
