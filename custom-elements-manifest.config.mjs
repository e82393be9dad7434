// `npm run manifest` (also run by `npm run build`): custom-elements.json from the element's public
// modules and the JSDoc contract on <pasarela-checkout>.
export default {
  globs: ['widget/index.ts', 'widget/pasarela-checkout.ts', 'widget/events.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
};
