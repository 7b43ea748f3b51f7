import { describe, expect, it } from "vitest";
import { SHIPPED_TRACES, loadAgentConfig } from "./config";

const base = { FERRY_NODE_NAME: "n1", FERRY_AGENT_TOKEN: "0123456789abcdef0123" };

describe("loadAgentConfig", () => {
  it("reads labels as comma-separated key=value pairs", () => {
    const config = loadAgentConfig({ ...base, FERRY_NODE_LABELS: "pod=a, rack=r1" });
    expect(config.node.labels).toEqual({ pod: "a", rack: "r1" });
  });

  it("registers with FERRY_AGENT_BOOTSTRAP_TOKEN, else FERRY_AGENT_TOKEN, else the admin token", () => {
    const { FERRY_AGENT_TOKEN: _, ...rest } = base;
    expect(loadAgentConfig({ ...base, FERRY_AGENT_BOOTSTRAP_TOKEN: "bootstrap-0123456789" }).bootstrapToken).toBe("bootstrap-0123456789");
    expect(loadAgentConfig(base).bootstrapToken).toBe(base.FERRY_AGENT_TOKEN);
    expect(loadAgentConfig({ ...rest, FERRY_ADMIN_TOKEN: "admin-token-0123456789" }).bootstrapToken).toBe("admin-token-0123456789");
  });

  it("replays the shipped PlanetLab sample in real time unless told otherwise", () => {
    expect(loadAgentConfig(base).workload).toEqual({ traceDir: SHIPPED_TRACES, traceSpeedup: 1 });
    expect(loadAgentConfig({ ...base, FERRY_TRACE_SPEEDUP: "288" }).workload.traceSpeedup).toBe(288);
  });

  it("tcp mode: images under .ferry/agents/<name> by default, a data port, no cap, no compression", () => {
    expect(loadAgentConfig({ ...base, FERRY_AGENT_MODE: "tcp" })).toMatchObject({
      mode: "tcp",
      transfer: { dataDir: ".ferry/agents/n1", dataPort: 0, dataHost: "127.0.0.1", compress: false, maxMbps: null, locality: { kind: "hotset", fraction: 0.1 }, stallTimeoutMs: 30_000 },
    });
    const custom = loadAgentConfig({ ...base, FERRY_AGENT_MODE: "tcp", FERRY_TRANSFER_COMPRESS: "deflate", FERRY_TRANSFER_MAX_MBPS: "500", FERRY_GUEST_LOCALITY: "zipf:1.2" });
    expect(custom.transfer).toMatchObject({ compress: true, maxMbps: 500, locality: { kind: "zipf", exponent: 1.2 } });
  });

  it("probes a simulated host unless told to read this Linux machine", () => {
    expect(loadAgentConfig(base).hostProbe).toBe("simulated");
    expect(loadAgentConfig({ ...base, FERRY_HOST_PROBE: "linux" }).hostProbe).toBe("linux");
  });

  it.each([
    { name: "a bad guest locality", env: { ...base, FERRY_GUEST_LOCALITY: "hotset:2" }, error: /FERRY_GUEST_LOCALITY/ },
    { name: "a data port out of range", env: { ...base, FERRY_AGENT_DATA_PORT: "70000" }, error: /FERRY_AGENT_DATA_PORT/ },
    { name: "no node name", env: { FERRY_AGENT_TOKEN: base.FERRY_AGENT_TOKEN }, error: /FERRY_NODE_NAME/ },
    { name: "no token", env: { FERRY_NODE_NAME: "n1" }, error: /FERRY_AGENT_BOOTSTRAP_TOKEN/ },
    { name: "a label without '='", env: { ...base, FERRY_NODE_LABELS: "pod" }, error: /key=value/ },
    { name: "a negative cpu count", env: { ...base, FERRY_NODE_CPU: "-4" }, error: /FERRY_NODE_CPU/ },
    { name: "peak watts below idle", env: { ...base, FERRY_NODE_IDLE_WATTS: "300", FERRY_NODE_PEAK_WATTS: "100" }, error: /PEAK_WATTS/ },
    { name: "an unknown mode", env: { ...base, FERRY_AGENT_MODE: "magic" }, error: /FERRY_AGENT_MODE/ },
    { name: "a trace speed-up of 0", env: { ...base, FERRY_TRACE_SPEEDUP: "0" }, error: /FERRY_TRACE_SPEEDUP/ },
    { name: "a negative boot delay", env: { ...base, FERRY_BOOT_DELAY_MS: "-1" }, error: /FERRY_BOOT_DELAY_MS/ },
    { name: "an unknown host probe", env: { ...base, FERRY_HOST_PROBE: "windows" }, error: /FERRY_HOST_PROBE: .*"simulated"\|"linux"/ },
    { name: "an unknown fault", env: { ...base, FERRY_SIM_FAULT: "fire" }, error: /FERRY_SIM_FAULT/ },
  ])("refuses $name with a message naming it", ({ env, error }) => {
    expect(() => loadAgentConfig(env)).toThrow(error);
  });
});
