/**
 * Host states. Only `active` hosts take VMs (new ones or migrated ones); VMs already on a host in another state
 * may stay there. `draining` hosts are being emptied by a policy, `off` / `failed` are down.
 */
export const HOST_STATES = ["active", "cordoned", "maintenance", "draining", "off", "failed"] as const;
export type HostState = (typeof HOST_STATES)[number];

export interface Host {
  readonly id: string;
  /** Schedulable vCPUs. */
  readonly cpu: number;
  readonly memMiB: number;
  /** Default "active". */
  readonly state?: HostState;
  /** e.g. { rack: "r12", pod: "p3" }: the labels topology derives distances from them. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Hypervisor kind, e.g. "kvm"; VMs that name a kind only go to hosts of that kind. */
  readonly hypervisor?: string;
  /** Further capacities by name (e.g. { gpu: 2 }); VMs ask for them in `Vm.resources`. */
  readonly resources?: Readonly<Record<string, number>>;
  /** Power model for the energy score: watts when idle and at full CPU. Defaults 100 W and 250 W. */
  readonly powerIdleW?: number;
  readonly powerMaxW?: number;
}
