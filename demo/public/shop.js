// The order page's own script: keeps "Estado del pedido" in step with the widget's events (the
// words come from the page, which the server renders). The merchant's server records the same
// changes from Pasarela's signed notifications.
document.addEventListener('pasarela-status', (event) => {
  const badge = document.querySelector('[data-order-status]');
  if (!badge) return;
  const labels = JSON.parse(badge.dataset.labels ?? '{}');
  const { status } = event.detail.session;
  if (!(status in labels)) return;
  badge.dataset.orderStatus = status;
  badge.className = `status-badge status-${status}`;
  badge.textContent = labels[status];
});
