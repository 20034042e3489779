import { z } from 'zod';

import { ConfigurationError, loadConfig } from '@throughline/platform';

import { CircuitBreakerSettings } from './domain/circuit-breaker';
import { WebhookSubscriber, webhookSubscribersSchema } from './domain/webhook';
import { NetSuiteConnectorConfig } from './infrastructure/netsuite-connector';

const positiveInt = z.coerce.number().int().positive();

const jsonText = z.string().transform((text, context) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    context.addIssue({ code: z.ZodIssueCode.custom, message: 'not valid JSON' });
    return z.NEVER;
  }
});

const outboundConfigShape = {
  /** Without a token the HubSpot deal write-back is off. */
  HUBSPOT_ACCESS_TOKEN: z.string().min(1).optional(),
  HUBSPOT_API_URL: z
    .string()
    .url()
    .default('https://api.hubapi.com')
    .transform((url) => url.replace(/\/+$/, '')),
  HUBSPOT_CONCURRENCY: positiveInt.default(4),
  /** JSON array of subscribers: `[{ name, url, secret, events: [EventType...], ownerRole? }]`. */
  OUTBOUND_WEBHOOKS: jsonText.pipe(webhookSubscribersSchema).default('[]'),
  WEBHOOK_CONCURRENCY: positiveInt.default(4),
  /** NetSuite token-based authentication; without NETSUITE_ACCOUNT_ID the ERP connector is off. */
  NETSUITE_ACCOUNT_ID: z
    .string()
    .regex(/^[0-9A-Za-z_]+$/, 'a NetSuite account id, e.g. 1234567 or 1234567_SB1')
    .optional(),
  NETSUITE_CONSUMER_KEY: z.string().min(1).optional(),
  NETSUITE_CONSUMER_SECRET: z.string().min(1).optional(),
  NETSUITE_TOKEN_ID: z.string().min(1).optional(),
  NETSUITE_TOKEN_SECRET: z.string().min(1).optional(),
  /** Default: `https://<account id, lower case, _ as ->.suitetalk.api.netsuite.com`. */
  NETSUITE_API_URL: z
    .string()
    .url()
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  NETSUITE_CONCURRENCY: positiveInt.default(5),
  OUTBOUND_TIMEOUT_MS: positiveInt.default(10_000),
  OUTBOUND_MAX_RETRY_AFTER_MS: positiveInt.default(10_000),
  OUTBOUND_THROTTLED_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  OUTBOUND_BREAKER_FAILURES: positiveInt.default(5),
  OUTBOUND_BREAKER_OPEN_MS: positiveInt.default(30_000),
};

export interface OutboundConfig {
  hubspot: { apiUrl: string; accessToken: string; concurrency: number } | null;
  netsuite: (NetSuiteConnectorConfig & { concurrency: number }) | null;
  webhooks: WebhookSubscriber[];
  webhookConcurrency: number;
  client: {
    timeoutMs: number;
    maxRetryAfterMs: number;
    maxThrottledRetries: number;
    breaker: CircuitBreakerSettings;
  };
}

/** The outbound service's own settings, validated at boot (every bad variable is named). */
export function loadOutboundConfig(env: NodeJS.ProcessEnv = process.env): OutboundConfig {
  const vars = loadConfig(outboundConfigShape, env);
  return {
    hubspot: vars.HUBSPOT_ACCESS_TOKEN
      ? {
          apiUrl: vars.HUBSPOT_API_URL,
          accessToken: vars.HUBSPOT_ACCESS_TOKEN,
          concurrency: vars.HUBSPOT_CONCURRENCY,
        }
      : null,
    netsuite: netSuiteConfig(vars),
    webhooks: vars.OUTBOUND_WEBHOOKS,
    webhookConcurrency: vars.WEBHOOK_CONCURRENCY,
    client: {
      timeoutMs: vars.OUTBOUND_TIMEOUT_MS,
      maxRetryAfterMs: vars.OUTBOUND_MAX_RETRY_AFTER_MS,
      maxThrottledRetries: vars.OUTBOUND_THROTTLED_RETRIES,
      breaker: { failureThreshold: vars.OUTBOUND_BREAKER_FAILURES, openMs: vars.OUTBOUND_BREAKER_OPEN_MS },
    },
  };
}

function netSuiteConfig(vars: {
  NETSUITE_ACCOUNT_ID?: string | undefined;
  NETSUITE_CONSUMER_KEY?: string | undefined;
  NETSUITE_CONSUMER_SECRET?: string | undefined;
  NETSUITE_TOKEN_ID?: string | undefined;
  NETSUITE_TOKEN_SECRET?: string | undefined;
  NETSUITE_API_URL?: string | undefined;
  NETSUITE_CONCURRENCY: number;
}): OutboundConfig['netsuite'] {
  const accountId = vars.NETSUITE_ACCOUNT_ID;
  if (!accountId) return null;
  const {
    NETSUITE_CONSUMER_KEY: consumerKey,
    NETSUITE_CONSUMER_SECRET: consumerSecret,
    NETSUITE_TOKEN_ID: tokenId,
    NETSUITE_TOKEN_SECRET: tokenSecret,
  } = vars;
  if (!consumerKey || !consumerSecret || !tokenId || !tokenSecret) {
    const missing = Object.entries({
      NETSUITE_CONSUMER_KEY: consumerKey,
      NETSUITE_CONSUMER_SECRET: consumerSecret,
      NETSUITE_TOKEN_ID: tokenId,
      NETSUITE_TOKEN_SECRET: tokenSecret,
    })
      .filter(([, value]) => !value)
      .map(([name]) => `${name}: required with NETSUITE_ACCOUNT_ID (token-based authentication)`);
    throw new ConfigurationError(`Invalid configuration:\n  ${missing.join('\n  ')}`);
  }
  return {
    accountId,
    consumerKey,
    consumerSecret,
    tokenId,
    tokenSecret,
    apiUrl:
      vars.NETSUITE_API_URL ??
      `https://${accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com`,
    concurrency: vars.NETSUITE_CONCURRENCY,
  };
}

/**
 * Longest a delivery can take: each call attempt may time out and each throttled attempt waits up
 * to the longest Retry-After honoured; plus a margin for the database work.
 */
export function deliveryTimeoutMs(
  client: Pick<OutboundConfig['client'], 'timeoutMs' | 'maxRetryAfterMs' | 'maxThrottledRetries'>,
): number {
  return (client.maxThrottledRetries + 1) * (client.timeoutMs + client.maxRetryAfterMs) + 5_000;
}
