import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { ZodBody, ZodQuery } from "../common/zod";
import { IngestTraffic, TrafficQuery, ingestTrafficSchema, trafficQuerySchema } from "./dto/traffic.dto";
import { TrafficService } from "./traffic.service";

@ApiTags("traffic")
@ApiBearerAuth()
@Controller("api/v1/traffic")
export class TrafficController {
  constructor(private readonly traffic: TrafficService) {}

  @ApiOperation({ summary: "Ingest VM-to-VM traffic" })
  @RequiresRole("operator")
  @Post()
  @HttpCode(200)
  ingest(@ZodBody(ingestTrafficSchema) body: IngestTraffic, @CallerOf() caller: Caller) {
    return this.traffic.ingest(body, caller.name);
  }

  @ApiOperation({ summary: "List VM-to-VM traffic" })
  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(trafficQuerySchema) query: TrafficQuery) {
    return this.traffic.list(query);
  }
}
