import type { PowerState } from "@ferry/protocol";

export type PowerChange = "switched-off" | "booting" | null;

/**
 * The host's power as a simulated agent models it: on, off, or booting for `bootDelayMs` after it was told
 * to power on. The controller says which state it wants in each heartbeat's answer; the host reports on only
 * once it has booted. Times are passed in, so the model is a function of them.
 */
export class HostPower {
  private state: "on" | "off" = "on";
  private bootedAtMs: number | null = null;

  constructor(private readonly bootDelayMs: number) {}

  /** What the host reports at `nowMs`: on once a boot has run its delay. */
  reported(nowMs: number): PowerState {
    if (this.bootedAtMs !== null && nowMs >= this.bootedAtMs) {
      this.state = "on";
      this.bootedAtMs = null;
    }
    return this.state;
  }

  /** The controller wants `desired`: switch off at once, or start booting; returns what changed. */
  want(desired: PowerState, nowMs: number): PowerChange {
    const current = this.reported(nowMs);
    if (desired === "off" && (current === "on" || this.bootedAtMs !== null)) {
      this.state = "off";
      this.bootedAtMs = null;
      return "switched-off";
    }
    if (desired === "on" && current === "off" && this.bootedAtMs === null) {
      this.bootedAtMs = nowMs + this.bootDelayMs;
      return "booting";
    }
    return null;
  }
}
