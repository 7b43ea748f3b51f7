/**
 * CloudSim 3.0.3's own results on two PlanetLab days, the reference the simulator is held to.
 *
 * Provenance, as issue 12 states it: CloudSim 3.0.3 was built and run unmodified on this set-up (800
 * hosts, the PlanetLab traces, its default parameters: the `examples/power/planetlab` runners). The
 * figures are copied from the issue; SLATAH and PDM are percentages, SLAV and ESV fractions as CloudSim's
 * Helper prints them. DVFS and NPA never migrate, so only their energy is given.
 */
export interface CloudSimReferenceRow {
  readonly day: string;
  /** Policy name as `createPolicy` takes it. */
  readonly policy: string;
  /** The detector parameter of the run (CloudSim's default), absent for DVFS and NPA. */
  readonly safety?: number;
  readonly energyKWh: number;
  readonly migrations: number;
  readonly slatahPct?: number;
  readonly pdmPct?: number;
  readonly slav?: number;
  readonly esv?: number;
}

export const CLOUDSIM_REFERENCE_PROVENANCE =
  "CloudSim 3.0.3, built and run unmodified (examples/power/planetlab, 800 hosts, default parameters), as reported in issue 12";

/**
 * CloudSim deals VM types to traces in quarters of its File.listFiles() order, which is the folder's
 * listing order on the file system it ran on. The table is reproduced (every row within 1.5 % on energy
 * and migrations) with the listing order of the shared copy of the traces on the machine this work was
 * done on, which starts with these files; with sorted names the MMT rows' SLAV is 7-17 % lower. A run
 * whose first file differs used another pairing, and is not comparable row by row.
 */
export const CLOUDSIM_REFERENCE_FIRST_FILE: Readonly<Record<string, string>> = {
  "20110303": "planetlab3_cs_st-andrews_ac_uk_upmc_ts",
  "20110306": "pl2-alblf_homeip_net_uw_oneswarm",
};

/** Issue 12's tolerances: relative difference allowed per metric. */
export const CLOUDSIM_TOLERANCE = { energyKWh: 0.05, migrations: 0.1, slav: 0.15 } as const;

export const CLOUDSIM_3_0_3_REFERENCE: readonly CloudSimReferenceRow[] = [
  { day: "20110303", policy: "dvfs", energyKWh: 764.96, migrations: 0 },
  { day: "20110303", policy: "iqr-mmt", safety: 1.5, energyKWh: 193.63, migrations: 27592, slatahPct: 5.02, pdmPct: 0.07, slav: 3.42e-5, esv: 0.00662 },
  { day: "20110303", policy: "lr-mc", safety: 1.2, energyKWh: 153.87, migrations: 23351, slatahPct: 7.02, pdmPct: 0.1, slav: 7.03e-5, esv: 0.0108 },
  { day: "20110303", policy: "lr-mmt", safety: 1.2, energyKWh: 167.83, migrations: 27649, slatahPct: 5.72, pdmPct: 0.08, slav: 4.32e-5, esv: 0.00725 },
  { day: "20110303", policy: "mad-mmt", safety: 2.5, energyKWh: 189.79, migrations: 27781, slatahPct: 5.09, pdmPct: 0.07, slav: 3.57e-5, esv: 0.00678 },
  { day: "20110303", policy: "thr-mmt", safety: 0.8, energyKWh: 198.08, migrations: 27728, slatahPct: 5.0, pdmPct: 0.07, slav: 3.57e-5, esv: 0.00707 },
  { day: "20110303", policy: "npa", energyKWh: 2410.8, migrations: 0 },
  { day: "20110306", policy: "dvfs", energyKWh: 618.28, migrations: 0 },
  { day: "20110306", policy: "iqr-mmt", safety: 1.5, energyKWh: 147.93, migrations: 21748, slatahPct: 5.31, pdmPct: 0.08, slav: 4.01e-5, esv: 0.00593 },
  { day: "20110306", policy: "lr-mc", safety: 1.2, energyKWh: 118.42, migrations: 17263, slatahPct: 7.14, pdmPct: 0.1, slav: 6.99e-5, esv: 0.00828 },
  { day: "20110306", policy: "lr-mmt", safety: 1.2, energyKWh: 127.98, migrations: 21661, slatahPct: 5.99, pdmPct: 0.08, slav: 4.97e-5, esv: 0.00636 },
  { day: "20110306", policy: "mad-mmt", safety: 2.5, energyKWh: 145.85, migrations: 22129, slatahPct: 5.4, pdmPct: 0.08, slav: 4.38e-5, esv: 0.00639 },
  { day: "20110306", policy: "thr-mmt", safety: 0.8, energyKWh: 150.7, migrations: 21575, slatahPct: 5.21, pdmPct: 0.08, slav: 3.98e-5, esv: 0.006 },
];
