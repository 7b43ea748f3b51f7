import { Inject, Injectable, OnApplicationShutdown } from "@nestjs/common";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "../generated/prisma/client";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { fenceTransactions } from "../leader/fencing";
import { runHooksAfterCommit } from "./after-commit";

/** The one database client. Only repositories use it. Its transactions are fenced when a loop opens them (leader/fencing.ts). */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(CONTROLLER_CONFIG) config: ControllerConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl }) });
    fenceTransactions(this);
    runHooksAfterCommit(this);
  }

  /** Closed last, after every module has finished with it. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}

export type Tx = Prisma.TransactionClient;
