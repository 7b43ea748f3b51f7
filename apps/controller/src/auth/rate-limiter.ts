import { Inject, Injectable, Logger } from "@nestjs/common";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { RedisService } from "../redis/redis.module";

/**
 * A token bucket in one Redis hash per key, refilled from Redis's own clock so that every replica shares it:
 * returns {1, 0} when a request may go, {0, ms until the next token} when not.
 */
const TAKE = `
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed, wait = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
`;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number };

/** Requests per operator token, limited by FERRY_RATE_LIMIT_PER_S and FERRY_RATE_LIMIT_BURST. */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  constructor(
    private readonly redis: RedisService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /**
   * Take one request from `key`'s bucket. While Redis cannot answer, requests go through: the limit protects
   * the controller from a runaway client, and refusing every operator during a Redis outage would not.
   */
  async take(key: string): Promise<RateDecision> {
    const { perSecond, burst } = this.config.rateLimit;
    try {
      const [allowed, waitMs] = (await this.redis.client.eval(TAKE, 1, this.redis.key("rate", key), perSecond, burst)) as [number, number];
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) };
    } catch (e) {
      this.logger.warn(`rate limit not checked (Redis: ${e instanceof Error ? e.message : e})`);
      return { allowed: true };
    }
  }
}
