export * from './etpay/index.js';
export { createSandboxes, type Sandboxes, type SandboxesOptions, type SandboxesState } from './sandboxes.js';
export * from './tpaga/index.js';
