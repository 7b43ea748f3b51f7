import { Controller, Get } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodQuery } from "../common/zod";
import { SamplesQuery, samplesQuerySchema } from "./dto/samples-query.dto";
import { SampleHistoryService } from "./sample-history.service";

/** Usage history of nodes and VMs, downsampled: averages per bucket of `step`. */
@ApiTags("usage")
@ApiBearerAuth()
@Controller("api/v1")
export class SamplesController {
  constructor(private readonly history: SampleHistoryService) {}

  @ApiOperation({ summary: "Usage history of a node" })
  @RequiresRole("viewer")
  @Get("nodes/:id/samples")
  node(@IdParam() id: string, @ZodQuery(samplesQuerySchema) query: SamplesQuery) {
    return this.history.node(id, query);
  }

  @ApiOperation({ summary: "Usage history of a VM" })
  @RequiresRole("viewer")
  @Get("vms/:id/samples")
  vm(@IdParam() id: string, @ZodQuery(samplesQuerySchema) query: SamplesQuery) {
    return this.history.vm(id, query);
  }
}
