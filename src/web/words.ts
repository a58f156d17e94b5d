/**
 * Help texts for people. The registry's descriptions serve the README too,
 * where `code spans` and the markers "siteward:" (not in fletchck) and
 * "(fletchck: …)" (what fletchck does) mean something to a reader comparing
 * the two; on a form they are noise. This turns them into plain words: the
 * markers and fletchck asides dropped, an option name in backticks written
 * as its field label, other code spans without their backticks.
 */
/** fletchck's run-together option names, spelled out for labels. */
const WORDS: Record<string, string> = {
  tls: 'TLS',
  qos: 'QoS',
  clientid: 'Client ID',
  basetopic: 'Base topic',
  autoadd: 'Auto-add remote checks',
  apikey: 'API key',
  hostkey: 'Host key',
  selfsigned: 'Self-signed certificate',
  url: 'URL',
  dirs: 'Folders',
  ups: 'UPS',
  req: 'Request',
  tcp: 'TCP',
  dns: 'DNS',
  statustopic: 'Status topic',
  offlinegrace: 'Offline grace',
  queuesize: 'Queue size',
  maxpayload: 'Max payload',
  cafile: 'CA file',
  keepalive: 'Keepalive',
  ca: 'CA',
  api: 'API',
  id: 'ID',
  default: 'Default for new checks',
};

/** `reqPath` → `Request path`, `basetopic` → `Base topic`, `day_of_week` → `Day of week`. */
export function labelOf(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(' ')
    .map((w) => WORDS[w] ?? w)
    .join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Asides about fletchck: "(fletchck: 5)", "(as in fletchck)", "; fletchck wrongly …", ", as in fletchck". */
const FLETCHCK_ASIDES = [/\s*\((?:[^()]*\bfletchck\b[^()]*)\)/gi, /\s*;\s*fletchck\b[^;]*$/i, /,\s*as in fletchck\b/gi];

export function plainHelp(text: string): string {
  let t = text.replace(/\bsiteward:\s*/gi, '');
  for (const re of FLETCHCK_ASIDES) t = t.replace(re, '');
  t = t.replace(/`([^`]+)`/g, (_m, code: string) => (/^[a-z]+[A-Z][A-Za-z0-9]*$/.test(code) ? `“${labelOf(code)}”` : code));
  return t;
}
