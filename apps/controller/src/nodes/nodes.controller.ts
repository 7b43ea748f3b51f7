import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody, ZodQuery } from "../common/zod";
import { PowerService } from "../power/power.service";
import { NodeQuery, nodeQuerySchema } from "./dto/node-query.dto";
import { PowerBody, powerBodySchema } from "./dto/power.dto";
import { NodesService } from "./nodes.service";

@ApiTags("nodes")
@ApiBearerAuth()
@Controller("api/v1/nodes")
export class NodesController {
  constructor(
    private readonly nodes: NodesService,
    private readonly power: PowerService,
  ) {}

  @Get()
  list(@ZodQuery(nodeQuerySchema) query: NodeQuery) {
    return this.nodes.list(query);
  }

  @Get(":id")
  get(@IdParam() id: string) {
    return this.nodes.get(id);
  }

  @Post(":id/cordon")
  @HttpCode(200)
  cordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "cordon", caller.name);
  }

  @Post(":id/uncordon")
  @HttpCode(200)
  uncordon(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "uncordon", caller.name);
  }

  @Post(":id/maintenance/on")
  @HttpCode(200)
  maintenanceOn(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-on", caller.name);
  }

  @Post(":id/maintenance/off")
  @HttpCode(200)
  maintenanceOff(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.nodes.act(id, "maintenance-off", caller.name);
  }

  /** Switch the node off through its agent (only when it hosts no VM and no migration is under way), or on again. */
  @Post(":id/power")
  @HttpCode(200)
  async setPower(@IdParam() id: string, @ZodBody(powerBodySchema) body: PowerBody, @CallerOf() caller: Caller) {
    await this.power.set(id, body.state, caller.name);
    return this.nodes.get(id);
  }
}
