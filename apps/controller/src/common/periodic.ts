import { Logger } from "@nestjs/common";
import { SchedulerRegistry } from "@nestjs/schedule";

/**
 * Run `task` every `ms` under the scheduler's name `name`. A tick that finds the previous one still running
 * is skipped (a slow database never piles up passes), and a failing pass is logged, not thrown, so the next
 * tick tries again. The scheduler clears the interval on shutdown.
 */
export function runEvery(scheduler: SchedulerRegistry, name: string, ms: number, task: () => Promise<unknown>): void {
  const logger = new Logger(name);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (e) {
      logger.error(`${name} failed: ${e instanceof Error ? e.message : e}`);
    } finally {
      running = false;
    }
  };
  scheduler.addInterval(name, setInterval(() => void tick(), ms));
}
