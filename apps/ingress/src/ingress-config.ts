import { z } from 'zod';

import { isIsoCurrency } from '@throughline/money';
import { ConfigurationError, isDevelopmentMode, loadConfig } from '@throughline/platform';

/** Development defaults of the secrets; accepted only with NODE_ENV=development or test (README "Configuration"). */
export const DEV_SECRETS = {
  HUBSPOT_APP_SECRET: 'dev-hubspot-app-secret',
  HUBSPOT_ACCESS_TOKEN: 'dev-hubspot-access-token',
  SALESFORCE_WEBHOOK_SECRET: 'dev-salesforce-webhook-secret',
} as const;

const positiveInt = z.coerce.number().int().positive();

const ingressConfigShape = {
  INGRESS_PUBLIC_URL: z
    .string()
    .url()
    .default('http://127.0.0.1:3001')
    .transform((url) => url.replace(/\/+$/, '')),
  HUBSPOT_APP_SECRET: z.string().min(1).optional(),
  HUBSPOT_ACCESS_TOKEN: z.string().min(1).optional(),
  HUBSPOT_API_URL: z.string().url().default('https://api.hubapi.com'),
  HUBSPOT_CLOSED_WON_STAGE: z.string().min(1).default('closedwon'),
  HUBSPOT_DEFAULT_CURRENCY: z
    .string()
    .refine(isIsoCurrency, 'an ISO 4217 currency code such as EUR')
    .optional(),
  HUBSPOT_REQUESTS_PER_SECOND: positiveInt.default(10),
  HUBSPOT_TIMEOUT_MS: positiveInt.default(10_000),
  SALESFORCE_WEBHOOK_SECRET: z.string().min(1).optional(),
  SALESFORCE_CLOSED_WON_STAGE: z.string().min(1).default('Closed Won'),
  INGRESS_REJECTED_BODY_PREFIX_BYTES: z.coerce.number().int().min(0).max(65_536).default(4_096),
  INGRESS_REJECTED_RETENTION_DAYS: positiveInt.max(3_650).default(30),
  INGRESS_REJECTED_PURGE_INTERVAL_MS: positiveInt.default(3_600_000),
  INGRESS_WORKER_POLL_MS: positiveInt.default(1_000),
  INGRESS_WORKER_BATCH_SIZE: positiveInt.default(10),
  INGRESS_WORKER_LEASE_MS: positiveInt.default(120_000),
  INGRESS_RETRY_BASE_MS: positiveInt.default(2_000),
  INGRESS_RETRY_MAX_MS: positiveInt.default(300_000),
  INGRESS_RETRY_MAX_ATTEMPTS: positiveInt.default(25),
};

export interface IngressConfig {
  /** The URL HubSpot calls (scheme, host, optional path prefix), used to verify signatures. */
  publicUrl: string;
  hubspot: {
    appSecret: string;
    accessToken: string;
    apiUrl: string;
    closedWonStage: string;
    defaultCurrency: string | null;
    requestsPerSecond: number;
    timeoutMs: number;
  };
  salesforce: { webhookSecret: string; closedWonStage: string };
  worker: {
    pollIntervalMs: number;
    batchSize: number;
    /** A claimed delivery is retried by any worker after this long (crash safety). */
    leaseMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    maxAttempts: number;
  };
  /** Refused webhook requests (rejected_delivery): what is kept of each body, and for how long. */
  rejected: {
    bodyPrefixBytes: number;
    retentionDays: number;
    purgeIntervalMs: number;
  };
}

/**
 * Ingress-specific configuration, validated at boot. Secrets have development defaults, used only
 * in an explicit development or test run (isDevelopmentMode); otherwise each must be set, and not to
 * its default. The error names every offending variable.
 */
export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  const vars = loadConfig(ingressConfigShape, env);
  const development = isDevelopmentMode(env);
  const secret = (name: keyof typeof DEV_SECRETS, problems: string[]): string => {
    const value = vars[name];
    if (!development && (!value || value === DEV_SECRETS[name])) {
      problems.push(
        `${name}: required (the development default is accepted only with NODE_ENV=development or NODE_ENV=test)`,
      );
    }
    return value ?? DEV_SECRETS[name];
  };
  const problems: string[] = [];
  const config: IngressConfig = {
    publicUrl: vars.INGRESS_PUBLIC_URL,
    hubspot: {
      appSecret: secret('HUBSPOT_APP_SECRET', problems),
      accessToken: secret('HUBSPOT_ACCESS_TOKEN', problems),
      apiUrl: vars.HUBSPOT_API_URL,
      closedWonStage: vars.HUBSPOT_CLOSED_WON_STAGE,
      defaultCurrency: vars.HUBSPOT_DEFAULT_CURRENCY ?? null,
      requestsPerSecond: vars.HUBSPOT_REQUESTS_PER_SECOND,
      timeoutMs: vars.HUBSPOT_TIMEOUT_MS,
    },
    salesforce: {
      webhookSecret: secret('SALESFORCE_WEBHOOK_SECRET', problems),
      closedWonStage: vars.SALESFORCE_CLOSED_WON_STAGE,
    },
    worker: {
      pollIntervalMs: vars.INGRESS_WORKER_POLL_MS,
      batchSize: vars.INGRESS_WORKER_BATCH_SIZE,
      leaseMs: vars.INGRESS_WORKER_LEASE_MS,
      retryBaseMs: vars.INGRESS_RETRY_BASE_MS,
      retryMaxMs: vars.INGRESS_RETRY_MAX_MS,
      maxAttempts: vars.INGRESS_RETRY_MAX_ATTEMPTS,
    },
    rejected: {
      bodyPrefixBytes: vars.INGRESS_REJECTED_BODY_PREFIX_BYTES,
      retentionDays: vars.INGRESS_REJECTED_RETENTION_DAYS,
      purgeIntervalMs: vars.INGRESS_REJECTED_PURGE_INTERVAL_MS,
    },
  };
  if (problems.length > 0) throw new ConfigurationError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
