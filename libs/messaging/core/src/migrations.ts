import { join } from 'node:path';

import { MigrationSource } from '@throughline/persistence';

/** The outbox and inbox tables; every service database applies these with its own migrations. */
export const MESSAGING_MIGRATIONS: MigrationSource = {
  name: 'messaging',
  directory: join(__dirname, '..', 'migrations'),
};
