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
