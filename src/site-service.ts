/**
 * A part of a running siteward that starts with the site and stops with it
 * (web UI, API listener, MQTT federation, HA zone). Each is built by
 * src/wiring.ts with what it uses of the site, passed in.
 */
export interface SiteService {
  name: string;
  /** true: the site cannot run as asked without it; start() fails with ServiceStartError (a listener that cannot listen) */
  readonly required?: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A required service that could not start (issue 16): the daemon must not
 * claim an address it does not serve, so the CLI ends with this one line.
 */
const SERVICE_WORDS: Record<string, string> = { web: 'web UI', api: 'API listener', mqtt: 'MQTT federation' };

/** A required service (web UI, API listener) could not start; the message is one line for the operator. */
export class ServiceStartError extends Error {
  constructor(
    readonly service: string,
    reason: string,
  ) {
    super(`the ${SERVICE_WORDS[service] ?? service} cannot start: ${reason}`);
    this.name = 'ServiceStartError';
  }
}
