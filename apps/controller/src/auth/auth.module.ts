import { Global, Module } from "@nestjs/common";
import { CredentialsService } from "./credentials.service";
import { RateLimiter } from "./rate-limiter";
import { TokensController } from "./tokens.controller";
import { TokensService } from "./tokens.service";
import { WhoAmIController } from "./whoami.controller";

/** Credentials: operator tokens and their API (and who a token belongs to), agents' own credentials, rate limits. The guard is in app.module. */
@Global()
@Module({ providers: [CredentialsService, TokensService, RateLimiter], controllers: [TokensController, WhoAmIController], exports: [CredentialsService, RateLimiter] })
export class AuthModule {}
