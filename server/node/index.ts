// `pasarela/server/node`: the Node-only edges of the backend: the listener with graceful shutdown,
// the store named by DATABASE_URL (SQLite or PostgreSQL), the built widget bundle read from disk,
// and the SQLite online backup. The runtime-neutral library is `pasarela/server`.
export { backupDatabase } from '../backup.js';
export { closeOnSignals, type RunningServer, type StartOptions, startServer } from '../serve.js';
export { loadWidgetBundle, openStore } from './store-and-bundle.js';
