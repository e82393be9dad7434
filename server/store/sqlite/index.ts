export { migrate, migrations } from './migrations.js';
export {
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  openDatabase,
  openSqliteStore,
  type SqliteStoreOptions,
} from './open.js';
