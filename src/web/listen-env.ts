/**
 * SITEWARD_WEBUI_HOSTNAME / SITEWARD_WEBUI_PORT: where the web UI listens,
 * over the site file's `webui.hostname`/`port` (containers publish a fixed
 * port on every interface; the site file keeps what a person chose). Like
 * the API's SITEWARD_API_HOSTNAME / SITEWARD_API_PORT (src/api/listen.ts).
 * `--port` still wins over both for one run. Apart from the web service so
 * that the CLI reads it without loading the web UI.
 */

export interface WebListenOverride {
  hostname?: string;
  port?: number;
}

/** Reads the overrides; a port that is not 0–65535 is an error naming the variable. */
export function webListenOverride(env: NodeJS.ProcessEnv = process.env): WebListenOverride {
  const out: WebListenOverride = {};
  const host = env.SITEWARD_WEBUI_HOSTNAME;
  if (host !== undefined) out.hostname = host;
  const p = env.SITEWARD_WEBUI_PORT;
  if (p !== undefined && p !== '') {
    const n = /^\d+$/.test(p.trim()) ? Number(p.trim()) : NaN;
    if (!(n >= 0 && n <= 65535)) throw new Error(`SITEWARD_WEBUI_PORT: ${JSON.stringify(p)} is not a port (0-65535; 0 lets the system choose)`);
    out.port = n;
  }
  return out;
}
