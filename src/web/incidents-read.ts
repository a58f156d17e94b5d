/** Reads a check's incident timeline from the site (src/web/incidents.ts builds it). */
import type { WebSite } from './web-site.ts';
import { incidentPage, MAX_DELIVERIES, MAX_TRANSITIONS, type IncidentPage } from './incidents.ts';

export function checkIncidents(
  site: Pick<WebSite, 'notifier' | 'clock' | 'store' | 'siteLog' | 'entry' | 'settings'>,
  name: string,
  page: number,
): IncidentPage {
  let deliveries = null;
  try {
    deliveries = site.notifier.deliveries({ check: name, limit: MAX_DELIVERIES });
  } catch {
    // a notifier that keeps no records: the timeline says "none recorded"
  }
  return incidentPage(
    {
      name,
      now: site.clock.now(),
      transitions: site.store.transitions(name, MAX_TRANSITIONS),
      deliveries,
      siteLog: site.siteLog.all(),
      zone: site.entry(name)?.zone ?? null,
      siteZone: site.settings.timezone,
    },
    page,
  );
}
