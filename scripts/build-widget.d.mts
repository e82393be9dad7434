// Types for build-widget.mjs, so the size test and the benchmark can import it.
export interface BundleFacts {
  file: string;
  bytes: number;
  gzipBytes: number;
  /** `sha384-…`, for the script tag's `integrity` attribute. */
  integrity: string;
  /** The 12-hex-digit content version in the immutable path `/widget/<version>/pasarela.js`. */
  version: string;
}
export const BUDGET_GZIP_BYTES: number;
export function buildWidgetBundle(outDir?: string): Promise<BundleFacts>;
export function measureBundle(file: string): BundleFacts;
export function describeBundle(facts: BundleFacts): string;
