// The order page's own script: keeps "Estado del pedido" in step with the widget's events. The
// merchant's server records the same changes through Pasarela's onStatusChange hook.
const labels = {
  pending: 'Pago en curso',
  paid: 'Pagado',
  delivered: 'Entregado',
  failed: 'Pago rechazado',
  expired: 'Pago vencido',
  cancelled: 'Pago cancelado',
  refunded: 'Reembolsado',
};

document.addEventListener('pasarela-status', (event) => {
  const badge = document.querySelector('[data-order-status]');
  const { status } = event.detail.session;
  if (!badge || !(status in labels)) return;
  badge.dataset.orderStatus = status;
  badge.className = `status-badge status-${status}`;
  badge.textContent = labels[status];
});
