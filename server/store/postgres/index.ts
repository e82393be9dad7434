export { migrate, migrations } from './migrations.js';
export {
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  openPostgresStore,
  type PostgresStoreOptions,
} from './open.js';
