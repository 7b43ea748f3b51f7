import { Global, Module } from "@nestjs/common";
import { CredentialsService } from "./credentials.service";
import { RateLimiter } from "./rate-limiter";
import { TokensController } from "./tokens.controller";
import { TokensService } from "./tokens.service";

/** Credentials: operator tokens and their API, agents' own credentials, rate limits. The guard is in app.module. */
@Global()
@Module({ providers: [CredentialsService, TokensService, RateLimiter], controllers: [TokensController], exports: [CredentialsService, RateLimiter] })
export class AuthModule {}
