import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody, ZodQuery } from "../common/zod";
import { CreateVm, createVmSchema } from "./dto/create-vm.dto";
import { VmQuery, vmQuerySchema } from "./dto/vm-query.dto";
import { VmsService } from "./vms.service";
import { Answer } from "../common/responses";
import { vmPageSchema, vmSchema } from "./dto/vm.answer";

@ApiTags("vms")
@ApiBearerAuth()
@Controller("api/v1/vms")
export class VmsController {
  constructor(private readonly vms: VmsService) {}

  @ApiOperation({ summary: "Create a VM and place it" })
  @Answer(201, "Vm", vmSchema)
  @RequiresRole("operator")
  @Post()
  @HttpCode(201)
  create(@ZodBody(createVmSchema) body: CreateVm, @CallerOf() caller: Caller) {
    return this.vms.create(body, caller.name);
  }

  @ApiOperation({ summary: "List VMs" })
  @Answer(200, "VmPage", vmPageSchema)
  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(vmQuerySchema) query: VmQuery) {
    return this.vms.list(query);
  }

  @ApiOperation({ summary: "Get a VM" })
  @Answer(200, "Vm", vmSchema)
  @RequiresRole("viewer")
  @Get(":id")
  get(@IdParam() id: string) {
    return this.vms.get(id);
  }
}
