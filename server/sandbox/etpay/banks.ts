/** A bank in the funnel's list. */
export interface Bank {
  code: string;
  name: string;
}

/**
 * ETpay's sandbox test bank first, then the `user_bank_code` values of §4.1 (lower case, as
 * ETpay writes them; matched exactly).
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

export function findBank(code: unknown): Bank | undefined {
  return banks.find((bank) => bank.code === code);
}
