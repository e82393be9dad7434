// Types for check-lock.mjs, for its tests.
export function missingOptionalPackages(lock: { packages?: Record<string, unknown> }): string[];
