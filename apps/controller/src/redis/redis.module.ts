import { Global, Inject, Injectable, Module, OnApplicationShutdown } from "@nestjs/common";
import { Redis } from "ioredis";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";

/**
 * The controller's Redis connection for its own keys (heartbeats, samples), all under the configured
 * prefix so that tests and several clusters can share one Redis. BullMQ opens its own connections.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(CONTROLLER_CONFIG) config: ControllerConfig) {
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.prefix = config.redisPrefix;
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** Closed last, after every module has finished with it (Nest runs this hook after onModuleDestroy). */
  async onApplicationShutdown(): Promise<void> {
    this.client.disconnect();
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
