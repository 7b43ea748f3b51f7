import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from "@nestjs/common";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { PrismaService, Tx } from "../database/prisma.service";
import { currentTerm } from "./fencing";
import { LeaderTerm, LeadershipLost, checkTerm, claimLease, releaseLease } from "./lease";

/**
 * Which replica runs the loops. Every replica tries to claim the lease in PostgreSQL at start and then on a
 * timer: the leader renews it every `renewMs`, a follower tries again when the lease it saw runs out (or after
 * `renewMs`, whichever is sooner), so a dead leader is replaced within one lease duration of its last renewal.
 * A replica counts itself leader only until its lease expires by its own clock, so one that cannot reach the
 * database stops its loops even before another takes over; the fence (checkTerm) is what makes that safe.
 */
@Injectable()
export class LeaderService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LeaderService.name);
  /** Unique per app instance: the tests run several controllers in one process. */
  readonly holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private held: LeaderTerm | null = null;
  private timer: NodeJS.Timeout | null = null;
  private claiming: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The first claim is awaited, so a lone replica leads as soon as it is up. */
  async onApplicationBootstrap(): Promise<void> {
    await this.claimNow();
  }

  /** Stop claiming and hand the lease over at once, so the next leader does not wait for it to expire. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.claiming;
    const term = this.held;
    this.held = null;
    if (term) await releaseLease(this.prisma, term, this.clock.now().getTime()).catch((e) => this.logger.warn(`could not release the lease: ${e}`));
  }

  isLeader(): boolean {
    return this.term() !== null;
  }

  /** The term this replica leads under, or null when it is a follower (or its lease ran out unrenewed). */
  term(): LeaderTerm | null {
    return this.held && this.clock.now() < this.held.expiresAt ? this.held : null;
  }

  /** The epoch of the current term: the fencing token. Null when not leading. */
  fencingToken(): number | null {
    return this.term()?.epoch ?? null;
  }

  /**
   * Fence a transaction explicitly (first statement in it): throws LeadershipLost, so the transaction writes
   * nothing, unless the lease still carries the term the work runs under (asLeader), or else this replica's
   * current term. Work run by Periodic needs no call: its interactive transactions are fenced already.
   */
  async fence(tx: Tx): Promise<void> {
    const term = currentTerm() ?? this.term();
    if (!term) throw new LeadershipLost(`${this.holder} holds no lease`);
    await checkTerm(tx, term);
  }

  /** One claim (acquire or renew) now; the next is scheduled after it. */
  claimNow(): Promise<void> {
    this.claiming = this.claiming.then(() => this.claim());
    return this.claiming;
  }

  private async claim(): Promise<void> {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const { durationMs, renewMs } = this.config.leaderLease;
    let nextMs = renewMs;
    try {
      const nowMs = this.clock.now().getTime();
      const lease = await claimLease(this.prisma, this.holder, nowMs, durationMs);
      const was = this.held;
      if (lease.mine) {
        this.held = lease.term;
        if (was?.epoch !== lease.term.epoch) this.logger.log(`leading the controllers (lease epoch ${lease.term.epoch})`);
      } else {
        this.held = null;
        if (was) this.logger.warn(`lost the lease to ${lease.term.holder} (epoch ${lease.term.epoch}); following`);
        nextMs = Math.min(renewMs, Math.max(0, lease.term.expiresAt.getTime() - nowMs));
      }
    } catch (e) {
      this.logger.error(`could not claim the lease: ${e instanceof Error ? e.message : e}`);
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.claimNow(), nextMs);
    this.timer.unref();
  }
}
