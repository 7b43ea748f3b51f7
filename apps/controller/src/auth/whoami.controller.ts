import { Controller, Get } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { FerryError } from "../common/errors";
import { Answer } from "../common/responses";
import { WhoAmI, whoAmISchema } from "./dto/whoami.answer";

@ApiTags("tokens")
@ApiBearerAuth()
@Controller("api/v1/whoami")
export class WhoAmIController {
  /** Who the bearer token belongs to and its role: clients (the dashboard) show only what the role may do. */
  @ApiOperation({ summary: "Show the caller's name and role" })
  @Answer(200, "WhoAmI", whoAmISchema)
  @RequiresRole("viewer")
  @Get()
  whoami(@CallerOf() caller: Caller): WhoAmI {
    // The guard lets only operator tokens through a role route; an agent's credential never reaches here.
    if (caller.kind !== "operator") throw new FerryError("Forbidden", "only an operator token has a role");
    return { name: caller.name, role: caller.role };
  }
}
