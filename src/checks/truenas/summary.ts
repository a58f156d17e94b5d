/** The shape of `Outcome.nas` (src/checks/truenas/topology.ts builds it); types only, so src/checks/types.ts imports nothing else. */
export interface NasDisk {
  name: string;
  status: string;
  read: number;
  write: number;
  checksum: number;
}

export interface NasVdev {
  category: string;
  /** MIRROR, RAIDZ1, RAIDZ2, RAIDZ3, DRAID…, or STRIPE for a disk that sits alone */
  type: string;
  name: string;
  status: string;
  disks: NasDisk[];
}

export interface NasPool {
  name: string;
  vdevs: NasVdev[];
  /** disks and vdevs left out by NAS_LIMITS */
  omitted: number;
}

export interface NasAlert {
  level: string;
  text: string;
}

export interface NasSummary {
  pools: NasPool[];
  /** active (not dismissed) alerts of every level, most severe first */
  alerts: NasAlert[];
  /** alerts left out by NAS_LIMITS */
  moreAlerts: number;
}
