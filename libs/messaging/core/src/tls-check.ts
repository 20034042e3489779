import { isIP } from 'node:net';
import { connect } from 'node:tls';

import { ThroughlineError } from '@throughline/platform';

import type { KafkaConnection } from './connection-config';

/**
 * The brokers' TLS cannot work with this client's settings: an unknown CA, a certificate for
 * another host, an expired one, a TLS version or cipher mismatch. Retrying cannot help.
 */
export class KafkaTlsError extends ThroughlineError {
  readonly retriable = false;
}

/** Node's codes for a certificate the client refuses to trust. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const OTHER_CERTIFICATE_PROBLEMS = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
]);

type Outcome = { ok: true } | { ok: false; broker: string; reason: string; fatal: boolean };

/**
 * With TLS on, completes one TLS handshake with each broker before kafkajs connects. kafkajs
 * treats a failed handshake as a retriable connection error and, after its retries, ends with
 * "number of retries exceeded"; a certificate this client does not trust never gets better, so it
 * fails here at once with the cause and the remedy named.
 * Brokers that cannot be reached at all are left to kafkajs's retries (they may be starting).
 */
export async function checkKafkaTls(connection: KafkaConnection, timeoutMs = 10_000): Promise<void> {
  const { tls } = connection;
  if (!tls) return;
  const outcomes = await Promise.all(connection.brokers.map((broker) => handshake(broker, tls, timeoutMs)));
  if (outcomes.some((outcome) => outcome.ok)) return;
  const fatal = outcomes.filter(
    (outcome): outcome is Extract<Outcome, { ok: false }> => !outcome.ok && outcome.fatal,
  );
  if (fatal.length === 0) return;
  throw new KafkaTlsError(
    `Kafka TLS handshake failed: ${fatal.map((outcome) => `${outcome.broker}: ${outcome.reason}`).join('; ')}`,
    { context: { brokers: connection.brokers } },
  );
}

function handshake(
  broker: string,
  tls: NonNullable<KafkaConnection['tls']>,
  timeoutMs: number,
): Promise<Outcome> {
  const separator = broker.lastIndexOf(':');
  const host = separator === -1 ? broker : broker.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  const port = separator === -1 ? 9092 : Number(broker.slice(separator + 1));
  return new Promise((resolve) => {
    // Server names must be host names (RFC 6066); Node checks an IP address against the certificate's IP SANs.
    const socket = connect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...tls });
    const finish = (outcome: Outcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () =>
      finish({ ok: false, broker, reason: `no TLS handshake within ${timeoutMs} ms`, fatal: false }),
    );
    socket.once('secureConnect', () => finish({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(explain(broker, error)));
  });
}

function explain(broker: string, error: NodeJS.ErrnoException): Outcome {
  const code = error.code ?? '';
  const detail = `${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`;
  if (UNTRUSTED.has(code)) {
    return {
      ok: false,
      broker,
      fatal: true,
      reason: `${detail}: the broker's certificate is not signed by a CA this client trusts; set KAFKA_TLS_CA_FILE to the CA certificate (PEM) that signed it`,
    };
  }
  if (OTHER_CERTIFICATE_PROBLEMS.has(code)) {
    return {
      ok: false,
      broker,
      fatal: true,
      reason: `${detail}: the broker's certificate is not valid for this connection`,
    };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return {
      ok: false,
      broker,
      fatal: true,
      reason: `${detail}: is this a TLS listener (KAFKA_TLS=on), and do both sides share a TLS version and cipher?`,
    };
  }
  return { ok: false, broker, fatal: false, reason: detail };
}
