import { Injectable, Logger } from "@nestjs/common";
import { SchedulerRegistry } from "@nestjs/schedule";
import { asLeader } from "../leader/fencing";
import { LeadershipLost } from "../leader/lease";
import { LeaderService } from "../leader/leader.service";

/** The controller's loops. Every loop runs on the leader only; the other replicas just serve the API. */
@Injectable()
export class Periodic {
  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly leader: LeaderService,
  ) {}

  /**
   * Run `task` every `ms` under the scheduler's name `name`, on the leader only, as that leader's term
   * (asLeader): its interactive transactions are fenced, so a pass that outlives its leadership writes nothing.
   * A tick that finds the previous one still running is skipped (a slow database never piles up passes), and
   * a failing pass is logged, not thrown, so the next tick tries again. The scheduler clears the interval on
   * shutdown.
   */
  every(name: string, ms: number, task: () => Promise<unknown>): void {
    const logger = new Logger(name);
    let running = false;
    const tick = async () => {
      const term = this.leader.term();
      if (running || !term) return;
      running = true;
      try {
        await asLeader(term, task);
      } catch (e) {
        if (e instanceof LeadershipLost) logger.warn(`${name} stopped: ${e.message}`);
        else logger.error(`${name} failed: ${e instanceof Error ? e.message : e}`);
      } finally {
        running = false;
      }
    };
    this.scheduler.addInterval(name, setInterval(() => void tick(), ms));
  }
}
