/** A bank in the funnel's list. */
export interface Bank {
  code: string;
  name: string;
}

/**
 * ETpay's sandbox test bank first, then the `user_bank_code` values of §4.1 (lower case, as
 * ETpay's guides write them; ETpay's own SDK writes them upper case, so they are matched without
 * regard to case).
 */
export const banks: readonly Bank[] = [
  { code: 'ETPAY_BANCOPRUEBA', name: 'Banco Prueba' },
  { code: 'cl_estado', name: 'BancoEstado' },
  { code: 'cl_santander', name: 'Banco Santander' },
  { code: 'cl_bch', name: 'Banco de Chile' },
  { code: 'cl_bci', name: 'Bci' },
  { code: 'cl_falabella', name: 'Banco Falabella' },
  { code: 'cl_itau', name: 'Itaú' },
  { code: 'cl_scotiabank', name: 'Scotiabank' },
  { code: 'cl_mach', name: 'MACH' },
];

/** Other names of the test bank: the one ETpay's Python SDK uses in its tests. */
const testBankAliases = new Set(['cl_test']);

export function findBank(code: unknown): Bank | undefined {
  if (typeof code !== 'string') return undefined;
  const wanted = code.toLowerCase();
  if (testBankAliases.has(wanted)) return banks[0];
  return banks.find((bank) => bank.code.toLowerCase() === wanted);
}
