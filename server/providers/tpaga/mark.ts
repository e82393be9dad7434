import { svgMark } from '../mark.js';

/** A wallet, on Tpaga green: an original mark, not Tpaga's logo. */
export const tpagaMark = svgMark(
  '#0f7d6e',
  'M7 10a3 3 0 0 1 3-3h11l2 3H10v1h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H10a3 3 0 0 1-3-3zm14 8a1.6 1.6 0 1 0 3.2 0 1.6 1.6 0 1 0-3.2 0',
);
