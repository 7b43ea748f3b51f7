import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from "@nestjs/common";
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
  private readonly logger = new Logger(RedisService.name);
  private connected = false;

  constructor(@Inject(CONTROLLER_CONFIG) config: ControllerConfig) {
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    // Without a listener ioredis prints every failed reconnect to stderr; one line per outage is enough.
    this.client.on("error", (e: Error) => {
      if (this.client.status !== "ready" && this.connected) this.logger.warn(`Redis connection lost: ${e.message}`);
      this.connected = false;
    });
    this.client.on("ready", () => {
      if (!this.connected) this.logger.log("Redis connected");
      this.connected = true;
    });
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
