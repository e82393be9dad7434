// The merchant view: Pasarela's admin API (`/api/admin`, Bearer token) from a browser page. Lists
// sessions with their status, shows one with its history, and runs the merchant's actions:
// reconcile now, and for Tpaga confirm delivery, refund or cancel. Above the list, the Tpaga
// payments still waiting for their delivery to be confirmed; in the detail, the session's
// merchant notifications with their deliveries, and "Reenviar".

import { type AdminSession, admin, adminToken, type SessionDetail, Unauthorized } from './api.js';
import { awaitingView } from './awaiting.js';
import { badge, duplicateBadge, money, providerNames, statusNames, when } from './format.js';
import { notificationsView } from './notifications.js';

const sourceNames: Record<string, string> = {
  webhook: 'notificación',
  return: 'regreso del comprador',
  reconcile: 'conciliación',
  admin: 'panel',
};

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const signIn = $<HTMLFormElement>('#sign-in');
const panel = $<HTMLElement>('#panel');
const filter = $<HTMLSelectElement>('#status-filter');
let selected: string | undefined;
let listVersion = '';
let listRequests = 0;

const awaiting = awaitingView({
  section: $('#awaiting'),
  title: $('#awaiting-title'),
  list: $('#awaiting-list'),
  empty: $('#awaiting-empty'),
  open: (id) => void showDetail(id, true).catch(handle),
});
const notifications = notificationsView({
  list: $('#notifications'),
  result: $('#notification-result'),
  refresh: () => (selected ? showDetail(selected) : Promise.resolve()),
  fail: handle,
});

function cell(content: Node | string | Node[]): HTMLTableCellElement {
  const td = document.createElement('td');
  td.append(...(Array.isArray(content) ? content : [content]));
  return td;
}

async function refreshList(): Promise<void> {
  const query =
    filter.value === 'duplicate' ? '?duplicate=true' : filter.value ? `?status=${filter.value}` : '';
  const request = ++listRequests;
  const { sessions } = await admin<{ sessions: AdminSession[] }>(`/sessions${query}`);
  if (request !== listRequests) return;
  // Redrawn only when something changed, so a focused "Ver" button keeps its focus.
  const version = `${selected} ${sessions.map((s) => `${s.id}:${s.updatedAt}`).join(',')}`;
  if (version === listVersion) return;
  listVersion = version;
  const rows = sessions.map((session) => {
    const row = document.createElement('tr');
    row.dataset.session = session.id;
    row.dataset.order = session.orderId;
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'link';
    open.textContent = 'Ver';
    open.setAttribute('aria-label', `Ver el pago del pedido ${session.orderId}`);
    open.addEventListener('click', () => void showDetail(session.id, true).catch(handle));
    row.append(
      cell(when(session.createdAt)),
      cell(session.orderId),
      cell(providerNames[session.provider] ?? session.provider),
      cell(money(session.amount, session.currency)),
      cell(session.duplicate ? [badge(session.status), duplicateBadge()] : badge(session.status)),
      cell(open),
    );
    if (session.id === selected) row.setAttribute('aria-current', 'true');
    return row;
  });
  $('#sessions').replaceChildren(...rows);
  $('#empty').hidden = rows.length > 0;
}

let detailRequests = 0;

async function showDetail(id: string, focus = false): Promise<void> {
  selected = id;
  const request = ++detailRequests;
  const { session, events, notifications: sent } = await admin<SessionDetail>(`/sessions/${id}`);
  // Answers can cross (a refresh, then a click on another row): only the latest one is shown.
  if (request !== detailRequests) return;
  notifications.render(session.id, sent);
  const detail = $('#detail');
  // The 3-second refresh redraws only what changed, so a focused button stays where it is.
  const version = `${session.id} ${session.updatedAt} ${session.nextCheckAt} ${events.length}`;
  if (!focus && detail.dataset.version === version) return;
  detail.dataset.version = version;
  detail.hidden = false;
  detail.dataset.session = session.id;
  detail.dataset.status = session.status;
  $('#detail-title').textContent = `Pedido ${session.orderId} · ${money(session.amount, session.currency)}`;
  const facts: [string, Node | string | Node[]][] = [
    ['Estado', session.duplicate ? [badge(session.status), duplicateBadge()] : badge(session.status)],
    ['Proveedor', `${providerNames[session.provider]} (${session.providerStatus ?? 'sin respuesta aún'})`],
    ['Sesión', session.id],
    ['Referencia del proveedor', session.providerRef ?? '—'],
    ['Creado', when(session.createdAt)],
    ['Vence', session.expiresAt ? when(session.expiresAt) : '—'],
    ['Próxima consulta', session.nextCheckAt ? when(session.nextCheckAt) : '—'],
  ];
  $('#detail-facts').replaceChildren(
    ...facts.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.append(...(Array.isArray(value) ? value : [value]));
      return [dt, dd];
    }),
  );
  $('#actions').replaceChildren(...actionsFor(session));
  $('#history').replaceChildren(
    ...events.map((event) => {
      const li = document.createElement('li');
      li.textContent = `${when(event.at)}: ${statusNames[event.from] ?? event.from} → ${statusNames[event.to] ?? event.to}, por ${sourceNames[event.source] ?? event.source}${event.providerStatus ? ` (${event.providerStatus})` : ''}`;
      return li;
    }),
  );
  if (!events.length)
    $('#history').append(
      Object.assign(document.createElement('li'), { textContent: 'Sin cambios todavía.' }),
    );
  if (focus) $('#detail-title').focus();
}

function actionsFor(session: AdminSession): HTMLButtonElement[] {
  const actions: { operation: string; label: string; confirm?: string }[] = [];
  if (session.status === 'pending') actions.push({ operation: 'sync', label: 'Consultar al proveedor' });
  if (session.provider === 'tpaga') {
    if (session.status === 'paid') actions.push({ operation: 'deliver', label: 'Confirmar entrega' });
    if (session.status === 'paid' || session.status === 'delivered') {
      actions.push({
        operation: 'refund',
        label: 'Reembolsar',
        confirm: `¿Reembolsar ${money(session.amount, session.currency)} del pedido ${session.orderId}?`,
      });
    }
    if (session.status === 'pending') actions.push({ operation: 'cancel', label: 'Cancelar el cobro' });
  }
  return actions.map(({ operation, label, confirm }) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.dataset.operation = operation;
    button.addEventListener('click', async () => {
      if (confirm && !window.confirm(confirm)) return;
      button.disabled = true;
      const result = $('#action-result');
      try {
        const { session: after } = await admin<{ session: AdminSession }>(
          `/sessions/${session.id}/${operation}`,
          'POST',
        );
        result.textContent = `${label}: el pago quedó ${(statusNames[after.status] ?? after.status).toLowerCase()}.`;
      } catch (error) {
        if (error instanceof Unauthorized) return handle(error);
        result.textContent = `${label}: ${(error as Error).message}`;
      }
      await refreshAll();
    });
    return button;
  });
}

function handle(error: unknown): void {
  if (error instanceof Unauthorized) {
    adminToken.clear();
    showSignIn('El token no es válido.');
    return;
  }
  $('#action-result').textContent = `No se pudo consultar el servidor: ${(error as Error).message}`;
}

function showSignIn(message = ''): void {
  panel.hidden = true;
  signIn.hidden = false;
  $('#sign-in-error').textContent = message;
}

async function showPanel(): Promise<void> {
  signIn.hidden = true;
  panel.hidden = false;
  await Promise.all([awaiting.refresh(), refreshList()]);
}

/** The waiting deliveries, the list and the selected session, read again. */
function refreshAll(): Promise<void> {
  return Promise.all([awaiting.refresh(), refreshList(), selected && showDetail(selected)]).then(
    () => undefined,
    handle,
  );
}

signIn.addEventListener('submit', (event) => {
  event.preventDefault();
  adminToken.set(new FormData(signIn).get('token') as string);
  showPanel().catch(handle);
});
filter.addEventListener('change', () => void refreshList().catch(handle));
$('#refresh').addEventListener('click', () => void refreshAll());
$('#sign-out').addEventListener('click', () => {
  adminToken.clear();
  showSignIn();
});

// `npm start` prints a link with the token in the fragment: keep it for this tab, drop it from
// the address bar (also when the link is opened in a tab already showing this page).
function tokenFromLink(): boolean {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return false;
  adminToken.set(token);
  history.replaceState(null, '', location.pathname + location.search);
  return true;
}
window.addEventListener('hashchange', () => {
  if (tokenFromLink()) showPanel().catch(handle);
});
tokenFromLink();
if (adminToken.get()) showPanel().catch(handle);
else showSignIn();

// Keep the lists current while the page is visible.
setInterval(() => {
  if (document.visibilityState === 'visible' && !panel.hidden) void refreshAll();
}, 3_000);
