/**
 * The fake platform's page: the invoices deposited with their lifecycle, and buttons to move one the way
 * a buyer would (approve, refuse with a reason, dispute with a reason, pay). Every value is escaped.
 */
import { LIFECYCLE_STATUSES } from '../../shared/core/domain/einvoice-lifecycle.js';
import type { HistoryLine, StoredFlow } from './fake-platform.js';

const html = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const time = (iso: string) => html(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));

function historyLine(line: HistoryLine): string {
  const reasons = line.reasons
    .map(
      (reason) =>
        `<br><small>${html([reason.code, reason.item].filter(Boolean).join(' · '))} ${html(reason.text)}</small>`,
    )
    .join('');
  const amounts = (line.amounts ?? [])
    .map(
      (amount) =>
        `<br><small>${html((amount.amountMinor / 100).toFixed(2))} ${html(amount.currency)}${amount.vatRate !== undefined ? ` (TVA ${html(String(amount.vatRate))} %)` : ''}</small>`,
    )
    .join('');
  // A 212 with negative amounts corrects an earlier one (a payment reversed).
  const correction =
    line.code === '212' && (line.amounts ?? []).some((amount) => amount.amountMinor < 0)
      ? ' (rectificatif)'
      : '';
  return `<li><b>${html(line.code)} ${html(LIFECYCLE_STATUSES[line.code].fr)}${correction}</b> <span class="at">${time(line.at)}</span>${reasons}${amounts}</li>`;
}

function actions(flow: StoredFlow): string {
  if (flow.acknowledgement.status !== 'Ok') return '';
  const target = `/flows/${encodeURIComponent(flow.flowId)}/status`;
  const button = (code: string, label: string) =>
    `<form method="post" action="${target}"><input type="hidden" name="code" value="${code}"><button>${label}</button></form>`;
  const withReason = (code: string, label: string) =>
    `<form method="post" action="${target}"><input type="hidden" name="code" value="${code}"><input name="reason" required placeholder="motif" maxlength="500"><button>${label}</button></form>`;
  return [
    button('205', 'Approuver (205)'),
    withReason('210', 'Refuser (210)'),
    withReason('207', 'Mettre en litige (207)'),
    button('211', 'Payer (211)'),
  ].join('');
}

export function renderFakePlatformPage(state: {
  flows: readonly StoredFlow[];
  callbackUrl: string | undefined;
  deliveries: readonly { flowId: string; status?: number; error?: string; attempts: number; at: string }[];
}): string {
  const invoices = state.flows
    .filter((flow) => flow.flowDirection === 'Out' && flow.facts !== undefined)
    .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
  const messages = state.flows
    .filter((flow) => flow.flowSyntax === 'CDAR')
    .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
  const rows = invoices
    .map((flow) => {
      const facts = flow.facts ?? {};
      return `<tr>
  <td><b>${html(facts.number ?? '—')}</b><br><small>${html(facts.issueDate ?? '')} ${html(facts.total ? `${facts.total} ${facts.currency ?? ''}` : '')}</small></td>
  <td><code>${html(flow.trackingId ?? '—')}</code><br><small><a href="/flows/${encodeURIComponent(flow.flowId)}/document">${html(flow.flowSyntax)}</a> · <code>${html(flow.flowId)}</code></small></td>
  <td>${html(flow.acknowledgement.status)}</td>
  <td><ul>${(flow.history ?? []).map(historyLine).join('')}</ul></td>
  <td class="actions">${actions(flow)}</td>
</tr>`;
    })
    .join('\n');
  const messageRows = messages
    .map(
      (flow) =>
        `<tr><td>${time(flow.submittedAt)}</td><td>${flow.flowDirection === 'In' ? 'vers le vendeur' : 'du vendeur'}</td><td>${html(flow.statusCode ?? '')} ${html(flow.statusCode ? LIFECYCLE_STATUSES[flow.statusCode].fr : '')}</td><td><a href="/flows/${encodeURIComponent(flow.flowId)}/document"><code>${html(flow.flowId)}</code></a></td></tr>`,
    )
    .join('\n');
  const lastDelivery = state.deliveries.at(-1);
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Plateforme agréée (factice)</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2733; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
  th, td { border-bottom: 1px solid #d8dee6; padding: .5rem; text-align: left; vertical-align: top; }
  ul { margin: 0; padding-left: 1rem; }
  .at, small { color: #5b6b7d; }
  .actions form { display: inline-block; margin: 0 .25rem .25rem 0; }
  code { font-size: .85em; }
</style>
</head>
<body>
<h1>Plateforme agréée factice <small>(AFNOR XP Z12-013, locale)</small></h1>
<p>Webhooks : ${state.callbackUrl ? `<code>${html(state.callbackUrl)}</code>` : 'aucune URL de rappel configurée'}${
    lastDelivery
      ? ` · dernier envoi ${time(lastDelivery.at)} : ${html(String(lastDelivery.status ?? lastDelivery.error ?? ''))}`
      : ''
  } · <a href="/">rafraîchir</a></p>
<h2>Factures déposées (${invoices.length})</h2>
<table>
<thead><tr><th>Facture</th><th>Suivi · flux</th><th>Acquittement</th><th>Cycle de vie</th><th>Actions de l'acheteur</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="5">Aucune facture déposée.</td></tr>'}
</tbody>
</table>
<h2>Messages de cycle de vie (${messages.length})</h2>
<table>
<thead><tr><th>Date</th><th>Sens</th><th>Statut</th><th>Flux</th></tr></thead>
<tbody>
${messageRows || '<tr><td colspan="4">Aucun message.</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}
