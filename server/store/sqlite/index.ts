export {
  BUSY_BUDGET_MS,
  BUSY_TIMEOUT_MS,
  openDatabase,
  readSettings,
  type SqliteSettings,
} from './database.js';
export { migrate, migrations } from './migrations.js';
export {
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  openSqliteStore,
  type SqliteStore,
  type SqliteStoreOptions,
} from './open.js';
