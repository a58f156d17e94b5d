/**
 * Options for each registered check type in the shared contract suite. Each
 * entry gets a "silent" server (accepts TCP connections and UDP datagrams on
 * 127.0.0.1 and never answers) and returns options that point the check at
 * it, or at nothing network-related for local checks. Every registered type
 * must have an entry (the suite fails otherwise).
 */
export interface Silent {
  host: string;
  /** TCP port that accepts and never answers */
  port: number;
  /** UDP port that receives and never answers */
  udpPort: number;
  /** a folder for fixture files */
  dir: string;
}

export const contractFixtures: Record<string, (s: Silent) => Record<string, unknown>> = {
  disk: () => ({ volume: '/' }),
  cpu: () => ({}),
  memory: () => ({}),
  sequence: () => ({ checks: [] }),
  remote: () => ({ timeout: 60 }),
  push: () => ({ token: 'contract-token-0123456789' }),
};
