// The demo shop's own order book: what a merchant's backend keeps beside Pasarela. Orders are
// created when the buyer presses "Comprar"; Pasarela's signed notifications (the shop's webhook
// route, in shop.ts) record each payment's status on its order (that is where a real shop would
// ship the goods). Kept in one JSON file next to Pasarela's database, written atomically (a
// temporary file, then a rename).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PublicSession, Status } from '../server/index.js';
import { type CountryCode, countries, type Product } from './catalog.js';

export interface OrderLine {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
  /** quantity × unitPrice, integer pesos. */
  amount: number;
}

export interface PaymentRecord {
  sessionId: string;
  provider: string;
  status: Status;
  updatedAt: string;
}

export interface ShopOrder {
  id: string;
  country: CountryCode;
  currency: 'CLP' | 'COP';
  lines: OrderLine[];
  amount: number;
  createdAt: string;
  /** Every payment session tried for this order, oldest first. */
  payments: PaymentRecord[];
  /** Each status change Pasarela reported, oldest first, with its notification's `webhook-id`. */
  history: { sessionId: string; status: Status; at: string; event?: string }[];
}

/** The payment that moved money for this order, if one did. */
export function moneyPayment(order: ShopOrder): PaymentRecord | undefined {
  return order.payments.find((p) => ['paid', 'delivered', 'refunded'].includes(p.status));
}

/** What the order's status is for the buyer: the payment that moved money, else the latest try. */
export function orderStatus(order: ShopOrder): Status | 'unpaid' {
  return (moneyPayment(order) ?? order.payments.at(-1))?.status ?? 'unpaid';
}

/** The order book's file cannot be used. */
export class OrderBookError extends Error {
  override readonly name = 'OrderBookError';
}

export class OrderBook {
  readonly #file: string;
  readonly #orders = new Map<string, ShopOrder>();

  constructor(file: string) {
    this.#file = file;
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined) {
      let saved: unknown;
      try {
        saved = JSON.parse(text);
      } catch {
        saved = undefined;
      }
      if (!Array.isArray(saved)) {
        throw new OrderBookError(
          `${file} is not an order book (a JSON list): move it away to start with an empty one.`,
        );
      }
      for (const order of saved as ShopOrder[]) this.#orders.set(order.id, order);
    }
  }

  create(country: CountryCode, wanted: { product: Product; quantity: number }[]) {
    const lines = wanted.map(({ product, quantity }) => ({
      productId: product.id,
      name: product.name,
      quantity,
      unitPrice: product.price[country],
      amount: product.price[country] * quantity,
    }));
    const order: ShopOrder = {
      id: newOrderId(),
      country,
      currency: countries[country].currency,
      lines,
      amount: lines.reduce((sum, line) => sum + line.amount, 0),
      createdAt: new Date().toISOString(),
      payments: [],
      history: [],
    };
    this.#orders.set(order.id, order);
    this.#save();
    return order;
  }

  get(id: string): ShopOrder | undefined {
    return this.#orders.get(id);
  }

  /**
   * A notification from Pasarela: remember the session's status on its order. Notifications come
   * at least once, so one already seen (`event`, its `webhook-id`) changes nothing, and neither
   * does an older one arriving after a newer one (a redelivery sent from the merchant view).
   * True when the order changed.
   */
  recordPayment(session: PublicSession, event?: string): boolean {
    const order = this.#orders.get(session.orderId);
    if (!order) return false;
    if (event && order.history.some((entry) => entry.event === event)) return false;
    const previous = order.payments.find((p) => p.sessionId === session.id);
    if (previous && previous.updatedAt > session.updatedAt) return false;
    const record = {
      sessionId: session.id,
      provider: session.provider,
      status: session.status,
      updatedAt: session.updatedAt,
    };
    const known = order.payments.findIndex((p) => p.sessionId === session.id);
    if (known === -1) order.payments.push(record);
    else order.payments[known] = record;
    order.history.push({
      sessionId: session.id,
      status: session.status,
      at: session.updatedAt,
      ...(event && { event }),
    });
    this.#save();
    return true;
  }

  #save(): void {
    mkdirSync(dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify([...this.#orders.values()], null, 1));
    renameSync(temporary, this.#file);
  }
}

/** `PD-` and ten characters a person can read out over the phone (no 0/O, 1/I). */
function newOrderId(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const bytes = randomBytes(10);
  return `PD-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')}`;
}
