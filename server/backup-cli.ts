// `npm run backup -- <file>`: backs up the database DATABASE_URL names (see backup.ts).
import { backupDatabase } from './backup.js';
import { ConfigError } from './config.js';

const destination = process.argv[2];
if (!destination) {
  console.error('Usage: npm run backup -- <file>   (backs up the database DATABASE_URL names)');
  process.exit(2);
}
try {
  const pages = await backupDatabase(process.env, destination);
  console.log(`backed up ${pages} pages to ${destination}`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
