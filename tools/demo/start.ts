import { spawnSync } from 'node:child_process';

import { startHubSpotStub } from '@throughline/crm-sandbox';

import { OIDC_ISSUER, up } from '../stack';
import { REPO_ROOT } from '../stack/config';
import { runDealToProjectDemo } from './deal-to-project';
import { demoScope } from './scope';
import { ALL_SERVICES, assertPortsFree, SERVICE_PORTS, startServices, stopServices } from './services';
import { runSmokeFlow } from './smoke';
import { chooseDemoPeriod, runTimeToCashDemo } from './time-to-cash';

const USAGE = `usage: npm start [-- --once]
  Starts the local stack and every Throughline service, then runs the demo:
  a smoke event, deal to project (HubSpot webhooks, ERP master data, business exceptions), then
  time to cash (a month of time and expenses, a change order, period close, invoices, revenue, a payment).
  --once   stop the services after the demo instead of leaving them running`;

/** Development secret of the demo's HubSpot app (ingress's documented default). */
const HUBSPOT_APP_SECRET = 'dev-hubspot-app-secret';

async function main(args: string[]): Promise<void> {
  if (args.includes('--help')) return void console.log(USAGE);
  const unknown = args.filter((arg) => arg !== '--once');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}\n${USAGE}`);
  const startedAt = Date.now();
  const print = (line: string) => console.log(line);

  print('== starting the local stack (Kafka, schema registry, PostgreSQL, OpenID Connect provider)');
  await up();
  // The stack's OpenID Connect provider issues the demo's tokens (unless AUTH_ISSUER names another).
  process.env['AUTH_ISSUER'] ??= OIDC_ISSUER;
  print('== generating Prisma clients');
  const generated = spawnSync('npx', ['nx', 'run-many', '-t', 'prisma-generate', '--outputStyle=static'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (generated.status !== 0) throw new Error('prisma generate failed');

  print('== smoke flow: one typed Avro event through the registry');
  await runSmokeFlow(print);

  print('== starting the services (logs in .stack/logs/)');
  await assertPortsFree(Object.values(SERVICE_PORTS));
  const hubSpot = await startHubSpotStub();
  const ingressPublicUrl = 'http://127.0.0.1:3001';
  const services = await startServices(ALL_SERVICES, {
    // Seven services join their groups and create their topics on a 2-core machine, often a busy one.
    readyTimeoutMs: 180_000,
    env: {
      HUBSPOT_API_URL: hubSpot.url,
      HUBSPOT_ACCESS_TOKEN: hubSpot.accessToken,
      HUBSPOT_APP_SECRET,
      INGRESS_PUBLIC_URL: ingressPublicUrl,
      INGRESS_WORKER_POLL_MS: '250',
      // Every event the demo makes carries the header throughline-data: demo, so analysts can leave it out.
      THROUGHLINE_DATA: process.env['THROUGHLINE_DATA'] ?? 'demo',
    },
  });
  const shutdown = async () => {
    await stopServices(services);
    await hubSpot.close();
  };
  // Interrupted mid-run (Ctrl-C, kill): stop the services too, or they keep the ports of the next run.
  const interrupted = (signal: NodeJS.Signals) => {
    print(`${signal}: stopping the services…`);
    void shutdown().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    for (const service of services) print(`   ${service.name.padEnd(9)} ${service.url}`);
    print(`   HubSpot API stub ${hubSpot.url}`);
    print('== deal to project');
    const url = (name: string) => services.find((service) => service.name === name)?.url ?? '';
    const period = await chooseDemoPeriod(url('billing'));
    // This run's own customer, NL legal entity, rate cards and people: see DemoScope.
    const scope = demoScope({ ownIds: true });
    const projects = await runDealToProjectDemo(
      {
        ingress: url('ingress'),
        reporting: url('reporting'),
        ingressPublicUrl,
        hubSpotAppSecret: HUBSPOT_APP_SECRET,
      },
      hubSpot,
      print,
      `${period}-01`,
      scope,
    );
    print(`\n== time to cash, ${period}`);
    await runTimeToCashDemo(
      {
        ingress: url('ingress'),
        project: url('project'),
        staffing: url('staffing'),
        billing: url('billing'),
        reporting: url('reporting'),
      },
      projects,
      period,
      print,
      scope,
    );
    print(`== demo done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  } catch (error) {
    await shutdown();
    throw error;
  }
  process.off('SIGINT', interrupted);
  process.off('SIGTERM', interrupted);
  if (args.includes('--once')) return shutdown();
  // The services verify tokens of the demo's OpenID Connect provider (README "Authentication and scopes").
  const issuer = process.env['AUTH_ISSUER'];
  print(
    [
      'Throughline is running (Ctrl-C stops the services). Try:',
      `  TOKEN=$(curl -s -u throughline-demo:dev-only-demo-secret-not-for-production -d grant_type=client_credentials -d scope=reports:read ${issuer}/token | jq -r .access_token)`,
      '  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3006/deals | jq',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  print('stopping the services…');
  await shutdown();
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
