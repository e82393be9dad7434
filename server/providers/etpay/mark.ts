import { svgMark } from '../mark.js';

/** A bank (a transfer), on ETpay blue: an original mark, not ETpay's logo. */
export const etpayMark = svgMark(
  '#1f4fa3',
  'M16 6 6 11.5V14h20v-2.5zM8 16h3v7H8zm6.5 0h3v7h-3zM21 16h3v7h-3zM6 25h20v2H6z',
);
