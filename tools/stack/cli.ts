import { down, logFiles, status, up, type StatusRow } from './index';
import { tail } from './proc';
import { checkTopics, formatDrift } from './topics';

const USAGE = `usage: npm run stack -- <command>

  up               start postgres databases, Kafka, Apicurio Registry and the OpenID Connect
                   provider (tools/oidc, OIDC_PORT default 8090) (idempotent)
  down             stop Kafka, Apicurio Registry and the provider (PostgreSQL is left running)
  status           show each component's address, pid and health; exit 1 if any is down
  logs [component] print the last 100 log lines of kafka, apicurio, oidc or all
  topics [--fix]   compare the broker's topics with schemas/catalog.json (partitions, retention,
                   cleanup policy, retry and dead-letter topics included); exit 1 on any difference.
                   --fix creates missing topics and sets retention and cleanup policy back first`;

function printTable(rows: StatusRow[]): void {
  const table = [
    ['COMPONENT', 'ADDRESS', 'PID', 'HEALTH'],
    ...rows.map((row) => [row.component, row.address, row.pid, row.healthy ? 'healthy' : 'down']),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((cells) => cells[column].length)));
  for (const cells of table)
    console.log(
      cells
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
}

function printLogs(component: string | undefined): number {
  const files = logFiles();
  const selected = component === undefined ? Object.keys(files) : [component];
  if (selected.some((name) => !(name in files))) {
    console.error(`unknown component "${component}"; expected one of: ${Object.keys(files).join(', ')}`);
    return 2;
  }
  for (const name of selected) {
    console.log(`==> ${files[name]} <==`);
    console.log(tail(files[name], 100));
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': {
      const startedAt = Date.now();
      await up();
      console.log(`stack is up (${((Date.now() - startedAt) / 1000).toFixed(1)}s)`);
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status': {
      const rows = await status();
      printTable(rows);
      return rows.every((row) => row.healthy) ? 0 : 1;
    }
    case 'logs':
      return printLogs(rest[0]);
    case 'topics': {
      const drift = await checkTopics({ fix: rest.includes('--fix') });
      console.log(formatDrift(drift));
      return drift.length === 0 ? 0 : 1;
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`stack: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
