// Types for chromium.mjs, for the end-to-end suite.
export function findChromium(): string | undefined;
export const chromiumArgs: string[];
