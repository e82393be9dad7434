export * from './etpay/index.js';
export { createSandboxes, type Sandboxes, type SandboxesOptions } from './sandboxes.js';
export * from './tpaga/index.js';
