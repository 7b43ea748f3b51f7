import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { ZodBody, ZodQuery } from "../common/zod";
import { IngestTraffic, TrafficQuery, ingestTrafficSchema, trafficQuerySchema } from "./dto/traffic.dto";
import { TrafficService } from "./traffic.service";

@ApiTags("traffic")
@ApiBearerAuth()
@Controller("api/v1/traffic")
export class TrafficController {
  constructor(private readonly traffic: TrafficService) {}

  @RequiresRole("operator")
  @Post()
  @HttpCode(200)
  ingest(@ZodBody(ingestTrafficSchema) body: IngestTraffic, @CallerOf() caller: Caller) {
    return this.traffic.ingest(body, caller.name);
  }

  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(trafficQuerySchema) query: TrafficQuery) {
    return this.traffic.list(query);
  }
}
