import { Inject, Injectable, Logger } from "@nestjs/common";
import type { z } from "zod";
import { AGENT_CONFIG, AgentConfig } from "./config";

export class ControllerError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    path: string,
  ) {
    super(`controller answered ${status} to ${path}: ${JSON.stringify(body)}`);
  }
}

export interface CallOptions {
  /**
   * Retries on network errors, 5xx, 429 and 401 (after registering again), with exponential backoff
   * (Infinity: until the controller answers). Other 4xx answers are final.
   */
  retries?: number;
  /** Longest wait between two retries (default 5 s). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Send the bootstrap token instead of the agent's own credential (registration only). */
  bootstrap?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The agent's one way to talk to the controller: JSON over HTTP with the agent's own credential (the
 * bootstrap token for registration only), answers validated.
 */
@Injectable()
export class ControllerClient {
  private readonly logger = new Logger(ControllerClient.name);
  private credential: string | null = null;
  private nodeId_: string | null = null;
  private renew: (() => Promise<unknown>) | null = null;

  constructor(@Inject(AGENT_CONFIG) private readonly config: AgentConfig) {}

  /**
   * The credential registration returned, the node it names, and how to register again when the controller no
   * longer takes it.
   */
  useCredential(credential: string, nodeId: string, renew: () => Promise<unknown>): void {
    this.credential = credential;
    this.nodeId_ = nodeId;
    this.renew = renew;
  }

  /** The node this agent's credential names; null before it registered. */
  get nodeId(): string | null {
    return this.nodeId_;
  }

  async call<S extends z.ZodType>(method: "GET" | "POST", path: string, body: unknown, answer: S, options: CallOptions = {}): Promise<z.infer<S>> {
    const retries = options.retries ?? 0;
    let resent = false;
    for (let attempt = 0; ; attempt++) {
      const token = options.bootstrap ? this.config.bootstrapToken : this.credential;
      try {
        if (token === null) throw new Error(`${path}: the agent has no credential yet (not registered)`);
        return answer.parse(await this.once(method, path, body, token, options.signal));
      } catch (e) {
        const refused = !options.bootstrap && e instanceof ControllerError && e.status === 401;
        if (refused && token !== this.credential && !resent) {
          // The agent registered again while this request was in flight: the new credential is the one to send.
          resent = true;
          attempt--;
          continue;
        }
        // Refused with the current credential: the node registered again elsewhere, or the controller lost it.
        if (refused && this.renew) await this.renew().catch(() => undefined);
        const final = e instanceof ControllerError && e.status < 500 && e.status !== 429 && !refused;
        if (final || attempt >= retries || options.signal?.aborted) throw e;
        const delay = Math.min(200 * 2 ** Math.min(attempt, 20), options.maxDelayMs ?? 5_000);
        const of = Number.isFinite(retries) ? `/${retries}` : "";
        this.logger.warn(`${method} ${path} failed (${e instanceof Error ? e.message : e}); retry ${attempt + 1}${of} in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  private async once(method: string, path: string, body: unknown, token: string, signal?: AbortSignal): Promise<unknown> {
    const response = await fetch(`${this.config.controllerUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        "x-ferry-actor": this.config.node.name,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new ControllerError(response.status, parsed, path);
    return parsed;
  }
}
