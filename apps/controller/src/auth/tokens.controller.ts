import { Controller, Delete, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { Answer } from "../common/responses";
import { ZodBody } from "../common/zod";
import { createdTokenSchema, tokenListSchema, tokenSchema } from "./dto/token.answer";
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
  @Answer(201, "CreatedToken", createdTokenSchema)
  @Post()
  @HttpCode(201)
  create(@ZodBody(createTokenSchema) body: CreateToken, @CallerOf() caller: Caller) {
    return this.tokens.create(body, caller.name);
  }

  @ApiOperation({ summary: "List operator tokens" })
  @Answer(200, "TokenList", tokenListSchema)
  @Get()
  list() {
    return this.tokens.list();
  }

  @ApiOperation({ summary: "Revoke an operator token" })
  @Answer(200, "Token", tokenSchema)
  @Delete(":id")
  @HttpCode(200)
  revoke(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.tokens.revoke(id, caller.name);
  }
}
