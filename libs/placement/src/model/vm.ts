export interface Vm {
  readonly id: string;
  readonly cpu: number;
  readonly memMiB: number;
  /** Required hypervisor kind; any host when absent. */
  readonly hypervisor?: string;
  /** Further demands by name, matched against `Host.resources` (a host without the resource has 0 of it). */
  readonly resources?: Readonly<Record<string, number>>;
}
