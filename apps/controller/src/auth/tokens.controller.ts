import { Controller, Delete, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody } from "../common/zod";
import { CreateToken, createTokenSchema } from "./dto/token.dto";
import { TokensService } from "./tokens.service";

@ApiTags("tokens")
@ApiBearerAuth()
@RequiresRole("admin")
@Controller("api/v1/tokens")
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  /** A new operator token; its secret is in `token`, shown this once. */
  @ApiOperation({ summary: "Create an operator token" })
  @Post()
  @HttpCode(201)
  create(@ZodBody(createTokenSchema) body: CreateToken, @CallerOf() caller: Caller) {
    return this.tokens.create(body, caller.name);
  }

  @ApiOperation({ summary: "List operator tokens" })
  @Get()
  list() {
    return this.tokens.list();
  }

  @ApiOperation({ summary: "Revoke an operator token" })
  @Delete(":id")
  @HttpCode(200)
  revoke(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.tokens.revoke(id, caller.name);
  }
}
