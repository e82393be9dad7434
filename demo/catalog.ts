// The demo shop's catalogue: the merchant's server owns every price. The buyer's browser only
// says what it wants; the amount in the order token comes from here.

export type CountryCode = 'cl' | 'co';

export interface Country {
  code: CountryCode;
  name: string;
  currency: 'CLP' | 'COP';
  /** The provider that takes this currency. */
  provider: 'etpay' | 'tpaga';
  providerName: string;
  locale: 'es-CL' | 'es-CO';
}

export const countries: Record<CountryCode, Country> = {
  cl: {
    code: 'cl',
    name: 'Chile',
    currency: 'CLP',
    provider: 'etpay',
    providerName: 'ETpay',
    locale: 'es-CL',
  },
  co: {
    code: 'co',
    name: 'Colombia',
    currency: 'COP',
    provider: 'tpaga',
    providerName: 'Tpaga',
    locale: 'es-CO',
  },
};

export interface Product {
  id: string;
  name: string;
  blurb: string;
  /** Which drawing the shop shows for it (demo/public/shop.css). */
  art: 'beans' | 'bag' | 'cup' | 'press';
  /** Integer pesos per unit, in each country's currency. */
  price: Record<CountryCode, number>;
}

export const products: readonly Product[] = [
  {
    id: 'cafe-huila',
    name: 'Café de Huila, grano 250 g',
    blurb: 'Tueste medio, notas de panela y mandarina.',
    art: 'beans',
    price: { cl: 8_990, co: 38_000 },
  },
  {
    id: 'cafe-narino',
    name: 'Café de Nariño, molido 500 g',
    blurb: 'Tueste claro para filtro, de altura.',
    art: 'bag',
    price: { cl: 15_490, co: 62_000 },
  },
  {
    id: 'taza-greda',
    name: 'Taza de greda de Pomaire',
    blurb: 'Hecha a mano, 250 ml.',
    art: 'cup',
    price: { cl: 6_500, co: 27_000 },
  },
  {
    id: 'prensa-francesa',
    name: 'Prensa francesa 600 ml',
    blurb: 'Vidrio y acero, para cuatro tazas.',
    art: 'press',
    price: { cl: 24_990, co: 99_900 },
  },
];

export const maxQuantity = 10;

export function findProduct(id: string): Product | undefined {
  return products.find((product) => product.id === id);
}

export function formatPrice(amount: number, country: Country): string {
  return new Intl.NumberFormat(country.locale, {
    style: 'currency',
    currency: country.currency,
    maximumFractionDigits: 0,
  }).format(amount);
}
