// The widget's text in Spanish (Chile, Colombia) and English. A merchant overrides any string
// through the element's `strings` property; `{name}` placeholders are filled in at render time.
// A provider is described by its flow (`redirect`, `wallet`) and named by the server's `name`.

const es = {
  loading: 'Cargando medios de pago…',
  choose: 'Elige cómo pagar',
  redirect: 'Transferencia bancaria',
  wallet: 'Billetera {provider}',
  pay: 'Pagar',
  payAmount: 'Pagar {amount}',
  paying: 'Preparando tu pago…',
  redirecting: 'Te llevamos a {provider}…',
  continueTo: 'Continuar a {provider}',
  scan: 'Escanea el código con tu celular',
  scanHelp: 'Abre la cámara de tu celular y escanea el código para pagar {amount} con Billetera {provider}.',
  qrAlt: 'Código QR para pagar con {provider}',
  openHere: 'Abrir en este dispositivo',
  copy: 'Copiar enlace',
  copied: 'Enlace copiado',
  expiresIn: 'El código expira en {time}',
  payInApp: 'Completa el pago en {provider}',
  openApp: 'Abrir {provider}',
  waiting: 'Esperando la confirmación del pago…',
  confirming: 'Confirmando tu pago…',
  paid: 'Pago recibido',
  paidText: 'Pagaste {amount}. ¡Gracias!',
  failed: 'El pago no se completó',
  notCharged: 'No se hizo ningún cargo. Puedes intentarlo de nuevo.',
  expired: 'El tiempo para pagar terminó',
  cancelled: 'El pago fue cancelado',
  refunded: 'El pago fue reembolsado',
  orderPaid: 'Este pedido ya está pagado',
  error: 'No pudimos continuar',
  networkError: 'No pudimos conectar con el servidor de pagos. Revisa tu conexión e inténtalo de nuevo.',
  noProviders: 'No hay medios de pago disponibles para este pedido.',
  unsafeUrl: 'El enlace de pago no es seguro.',
  retry: 'Intentar de nuevo',
  other: 'Elegir otro medio de pago',
};

export type StringKey = keyof typeof es;
export type Strings = Record<StringKey, string>;

const en: Strings = {
  loading: 'Loading payment methods…',
  choose: 'Choose how to pay',
  redirect: 'Bank transfer',
  wallet: '{provider} wallet',
  pay: 'Pay',
  payAmount: 'Pay {amount}',
  paying: 'Preparing your payment…',
  redirecting: 'Taking you to {provider}…',
  continueTo: 'Continue to {provider}',
  scan: 'Scan the code with your phone',
  scanHelp: "Open your phone's camera and scan the code to pay {amount} with the {provider} wallet.",
  qrAlt: 'QR code to pay with {provider}',
  openHere: 'Open on this device',
  copy: 'Copy link',
  copied: 'Link copied',
  expiresIn: 'The code expires in {time}',
  payInApp: 'Finish paying in {provider}',
  openApp: 'Open {provider}',
  waiting: 'Waiting for the payment to be confirmed…',
  confirming: 'Confirming your payment…',
  paid: 'Payment received',
  paidText: 'You paid {amount}. Thank you!',
  failed: 'The payment did not go through',
  notCharged: 'You have not been charged. You can try again.',
  expired: 'The time to pay ran out',
  cancelled: 'The payment was cancelled',
  refunded: 'The payment was refunded',
  orderPaid: 'This order is already paid',
  error: 'We could not continue',
  networkError: 'We could not reach the payment server. Check your connection and try again.',
  noProviders: 'No payment method is available for this order.',
  unsafeUrl: 'The payment link is not safe.',
  retry: 'Try again',
  other: 'Choose another payment method',
};

/**
 * Locales with their own text. Chile and Colombia share the Spanish text (each can be overridden
 * through `strings`); amounts are written each country's way by format.ts.
 */
export const Locale = { es: 'es', esCL: 'es-CL', esCO: 'es-CO', en: 'en' } as const;
export type Locale = (typeof Locale)[keyof typeof Locale];

const tables: Record<Locale, Strings> = {
  es,
  'es-CL': es,
  'es-CO': es,
  en,
};

/** The `locale` attribute if it names one we have, else the browser's language, else Spanish. */
export function resolveLocale(requested: string | null | undefined): Locale {
  const candidates = [requested, typeof navigator === 'undefined' ? undefined : navigator.language];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const exact = Object.values(Locale).find((locale) => locale.toLowerCase() === candidate.toLowerCase());
    if (exact) return exact;
    const language = candidate.slice(0, 2).toLowerCase();
    if (language === 'en') return Locale.en;
    if (language === 'es') return Locale.es;
  }
  return Locale.es;
}

export type Translate = (key: StringKey, params?: Record<string, string>) => string;

export function translator(locale: Locale, overrides?: Partial<Strings>): Translate {
  const table = tables[locale];
  return (key, params) =>
    (overrides?.[key] ?? table[key]).replace(/\{(\w+)\}/g, (match, name: string) => params?.[name] ?? match);
}
