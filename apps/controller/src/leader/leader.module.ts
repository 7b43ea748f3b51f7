import { Global, Module } from "@nestjs/common";
import { Periodic } from "../common/periodic";
import { LeaderService } from "./leader.service";

/** Leadership for every module: the lease (LeaderService) and the loops that run only on the leader (Periodic). */
@Global()
@Module({ providers: [LeaderService, Periodic], exports: [LeaderService, Periodic] })
export class LeaderModule {}
