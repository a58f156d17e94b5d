/**
 * The certificate panel of a TLS check's page (src/web/certs.ts): who the
 * certificate is for and from, the chain the server sent, and the days left.
 */
import type { Child } from 'hono/jsx';
import type { CertVM } from '../../src/web/view-data.ts';

const STATUS_WORDS: Record<CertVM['status'], string> = { ok: 'valid', soon: 'expires soon', expired: 'expired' };

export function CertPanel(p: { vm: CertVM }): Child {
  const { vm } = p;
  const days =
    vm.daysLeft < 0 ? `expired ${-vm.daysLeft} ${vm.daysLeft === -1 ? 'day' : 'days'} ago` : `${vm.daysLeft} ${vm.daysLeft === 1 ? 'day' : 'days'} left`;
  return (
    <section id="certificate" class="card" aria-labelledby="cert-h">
      <h2 id="cert-h">Certificate</h2>
      <p>
        <span class={`cert-days cert-${vm.status}`}>{days}</span> <span class="muted">{`(${STATUS_WORDS[vm.status]}; until ${vm.validTo})`}</span>
      </p>
      <dl class="facts">
        <dt>Subject</dt>
        <dd>{vm.subject || '(none)'}</dd>
        <dt>Issuer</dt>
        <dd>{vm.issuer || '(none)'}</dd>
        <dt>Valid</dt>
        <dd>{`${vm.validFrom} to ${vm.validTo}`}</dd>
        {vm.altNames ? (
          <>
            <dt>Names</dt>
            <dd>{vm.altNames}</dd>
          </>
        ) : null}
        <dt>SHA-256</dt>
        <dd class="fingerprint">{vm.fingerprint}</dd>
        <dt>Chain</dt>
        <dd>
          {vm.chain.length === 0 ? (
            <span class="muted">the server sent no other certificate (self-signed, or signed directly by a trusted root)</span>
          ) : (
            <ol class="chain">
              {vm.chain.map((l) => (
                <li>
                  {l.subject} <span class="muted">{`issued by ${l.issuer}, until ${l.validTo}`}</span>
                </li>
              ))}
            </ol>
          )}
        </dd>
      </dl>
      <p class="muted">{`As the check last saw it; this certificate was first seen ${vm.seen}.`}</p>
    </section>
  );
}
