/** The hosts view (issue 22 "Hosts"): one live card per host (views/partials/host-card.tsx). */
import type { Child } from 'hono/jsx';
import type { PropsOf } from '../../src/web/view-data.ts';
import { Page } from '../layout.tsx';
import { HostGrid } from '../partials/host-card.tsx';

export function HostsPage(p: PropsOf<'HostsPage'>): Child {
  return (
    <Page ctx={p.ctx} title="Hosts">
      <h1>Hosts</h1>
      <p class="muted">
        This instance and every instance or zone node heard over MQTT: their cpu, memory, disk, temperature, network and UPS checks, with the last 6 hours drawn
        beside each. A host that stops sending is shown as silent.
      </p>
      <HostGrid hosts={p.hosts} now={p.now} />
    </Page>
  );
}
