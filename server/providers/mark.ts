/**
 * A provider's mark for the widget's picker: a `data:` URL of a 32×32 SVG, a rounded square in
 * the provider's colour with a white figure. A module may give any https or `data:image/` URL.
 */
export function svgMark(background: string, figurePath: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
    `<rect width="32" height="32" rx="8" fill="${background}"/>` +
    `<path d="${figurePath}" fill="#fff" fill-rule="evenodd"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
