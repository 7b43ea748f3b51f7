import { execFileSync } from "node:child_process";

/** A network namespace of a lab, joined to the root namespace by its control link (a veth pair). */
export interface Namespace {
  readonly name: string;
  /** The namespace's end of the control link. */
  readonly address: string;
  /** The root namespace's end of the control link: where the namespace reaches services of the root namespace. */
  readonly rootAddress: string;
}

/** A veth pair between two namespaces: `devices[i]` with `addresses[i]` lives in the i-th. */
export interface Link {
  readonly namespaces: readonly [Namespace, Namespace];
  readonly devices: readonly [string, string];
  readonly addresses: readonly [string, string];
}

const NAME_PREFIX = "ferry-";
/** Each lab of this process numbers its /30 subnets from here: 10.201.k.0/24 for control, 10.202.k.0/24 for links. */
let subnets = 0;

/**
 * Network namespaces for tests, named after this process (ferry-<pid>-<n>), with veth pairs: one control link
 * per namespace to the root namespace, links between namespaces, `tc ... tbf` rates on them, and a way to
 * drop a link. Needs root and iproute2 (`ip`, `tc`); `open` fails with a message saying so rather than
 * letting a test pass without them. `close` deletes every namespace (and with them their veth pairs), and
 * `open` also removes namespaces left by test processes that no longer exist.
 */
export class NetnsLab {
  private readonly namespaces: Namespace[] = [];
  /** Root-namespace ends of control links. */
  private readonly rootDevices: string[] = [];
  private readonly octet = process.pid % 256;

  private constructor() {}

  static open(): NetnsLab {
    removeOrphans();
    const probe = `${NAME_PREFIX}${process.pid}-probe`;
    try {
      ip("netns", "add", probe);
      ip("netns", "delete", probe);
    } catch (e) {
      throw new Error(
        `network namespace tests need root and iproute2 (ip, tc): ${e instanceof Error ? e.message : String(e)}. ` +
          "CI runs them as root; .ci/run installs iproute2 when it is missing.",
      );
    }
    return new NetnsLab();
  }

  /** A new namespace with loopback up and its control link to the root namespace. */
  namespace(): Namespace {
    const n = subnets++;
    const name = `${NAME_PREFIX}${process.pid}-${n}`;
    const [root, inside] = [`fr${process.pid}x${n}`, `fn${process.pid}x${n}`];
    const [rootAddress, address] = this.pairAddresses(201, n);
    ip("netns", "add", name);
    const ns: Namespace = { name, address, rootAddress };
    this.namespaces.push(ns);
    ip("-n", name, "link", "set", "lo", "up");
    ip("link", "add", root, "type", "veth", "peer", "name", inside, "netns", name);
    this.rootDevices.push(root);
    ip("addr", "add", `${rootAddress}/30`, "dev", root);
    ip("link", "set", root, "up");
    ip("-n", name, "addr", "add", `${address}/30`, "dev", inside);
    ip("-n", name, "link", "set", inside, "up");
    return ns;
  }

  /** A veth pair between two namespaces of this lab, up and addressed. */
  link(a: Namespace, b: Namespace): Link {
    const n = subnets++;
    const devices = [`fl${process.pid}x${n}a`, `fl${process.pid}x${n}b`] as const;
    const addresses = this.pairAddresses(202, n);
    ip("link", "add", devices[0], "netns", a.name, "type", "veth", "peer", "name", devices[1], "netns", b.name);
    [a, b].forEach((ns, i) => {
      ip("-n", ns.name, "addr", "add", `${addresses[i]}/30`, "dev", devices[i]);
      ip("-n", ns.name, "link", "set", devices[i], "up");
    });
    return { namespaces: [a, b], devices, addresses };
  }

  /**
   * Caps both directions of a link at `mbit` Mbit/s with a token bucket filter (this kernel has no netem). The
   * bucket holds at least a 10 ms burst, so the filter can reach its rate at the kernel's timer resolution.
   */
  shape(link: Link, mbit: number): void {
    const burstKb = Math.max(64, Math.ceil(mbit * 1.25));
    link.devices.forEach((dev, i) => {
      execFileSync("tc", ["-n", link.namespaces[i].name, "qdisc", "replace", "dev", dev, "root", "tbf", "rate", `${mbit}mbit`, "burst", `${burstKb}kb`, "latency", "50ms"], {
        stdio: "pipe",
      });
    });
  }

  /** Takes one end of a link down (a partition: no FIN, no RST, packets just stop) or up again. */
  setEnd(link: Link, end: 0 | 1, up: boolean): void {
    ip("-n", link.namespaces[end].name, "link", "set", link.devices[end], up ? "up" : "down");
  }

  /**
   * Deletes every namespace of this lab; their veth pairs go with them. The root ends of the control links go
   * first: a namespace outlives its deletion while TCP sockets of its own still linger (a connection cut by a
   * partition retransmits for minutes), and its address must not stay in the root namespace meanwhile.
   */
  close(): void {
    for (const dev of this.rootDevices.splice(0)) {
      try {
        ip("link", "delete", dev);
      } catch {
        // Already gone.
      }
    }
    for (const ns of this.namespaces.splice(0)) {
      try {
        ip("netns", "delete", ns.name);
      } catch {
        // Already gone.
      }
    }
  }

  /** The two host addresses of /30 number `n` in 10.<second>.<pid % 256>.0/24. */
  private pairAddresses(second: number, n: number): [string, string] {
    if (n >= 64) throw new Error("a test process ran out of /30 subnets (64 per process)");
    const base = `10.${second}.${this.octet}`;
    return [`${base}.${4 * n + 1}`, `${base}.${4 * n + 2}`];
  }
}

function ip(...args: string[]): string {
  try {
    return execFileSync("ip", args, { stdio: "pipe", encoding: "utf8" });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(" ")}: ${(err.stderr ?? "").trim() || err.message}`);
  }
}

/** Namespaces of test processes that ended without closing their lab (killed, crashed). */
function removeOrphans(): void {
  let list: string;
  try {
    list = ip("netns", "list");
  } catch {
    return;
  }
  for (const line of list.split("\n")) {
    const m = new RegExp(`^(${NAME_PREFIX}(\\d+)-\\S+)`).exec(line);
    if (!m || alive(Number(m[2]))) continue;
    try {
      ip("netns", "delete", m[1]);
    } catch {
      // Another process removed it first.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
