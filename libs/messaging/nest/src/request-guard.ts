import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';

import {
  bodyParserProblem,
  HttpProblem,
  isBodyParserError,
  problem,
  PROBLEM_CONTENT_TYPE,
  ProblemFieldError,
} from './problem';

/** Body size limit of every JSON route unless a service names a larger one for a path prefix. */
export const DEFAULT_BODY_LIMIT = '100kb';
/** Deepest nesting of arrays and objects accepted in a body or query (services need at most 5). */
export const MAX_JSON_DEPTH = 32;
/** At most this many field errors are listed in one answer. */
const MAX_LISTED = 20;

/** A larger body limit for the routes under `path` (e.g. `/psa` batches of 500 entries: `1mb`). */
export interface BodyLimit {
  path: string;
  limit: string;
}

/** Host names answered when nothing else is configured (plus HOST, when it is a name). */
export const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** `example.com:3001` → `example.com`; `[::1]:3001` → `::1`; lower case. */
export function hostNameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  if (bracketed) return bracketed[1] as string;
  return trimmed.replace(/:\d+$/, '');
}

/** Probes and scrapers name a service by container, pod IP or service name: not checked. */
const PROBE_PATH = /^\/(health|metrics)(\/|$)/;

/**
 * DNS rebinding and cross-site requests: the Host must be one of `allowed` (421 otherwise), and a
 * request that carries an Origin (browsers do on cross-origin writes) must come from an allowed
 * host too (403). Server-to-server callers send no Origin and are not affected. GET /health/* and
 * /metrics answer any Host (orchestrator probes, Prometheus), and only them.
 */
export function hostAndOriginGuard(allowed: readonly string[]): Middleware {
  const hosts = new Set(allowed.map(hostNameOf));
  return (req, _res, next) => {
    if (req.method === 'GET' && PROBE_PATH.test(req.path)) {
      next();
      return;
    }
    const host = hostNameOf(req.headers.host ?? '');
    if (!hosts.has(host)) {
      next(new HttpProblem(421, 'misdirected-request', `host "${host}" is not served here`));
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.has(originHost(origin))) {
      next(new HttpProblem(403, 'forbidden-origin', `requests from origin "${origin}" are refused`));
      return;
    }
    next();
  };
}

function originHost(origin: string): string {
  try {
    return hostNameOf(new URL(origin).host);
  } catch {
    return ''; // "null" (sandboxed frames, file:) and garbage
  }
}

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * JSON only: a request with a body must say `application/json` (or `+json`), in UTF-8 (RFC 8259;
 * body-parser would also decode UTF-7 and UTF-16). HTML forms and `text/plain` (what a browser can
 * send cross-site without a preflight) are answered 415, like other charsets.
 */
export function jsonOnly(): Middleware {
  return (req, _res, next) => {
    if (!hasBody(req)) {
      next();
      return;
    }
    const [type = '', ...parameters] = (req.headers['content-type'] ?? '').split(';');
    const contentType = type.trim().toLowerCase();
    if (!JSON_TYPE.test(contentType)) {
      next(
        new HttpProblem(
          415,
          'unsupported-media-type',
          `Content-Type "${contentType || '(none)'}" is not accepted; send application/json`,
        ),
      );
      return;
    }
    const charset = parameters
      .map((parameter) => /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(parameter)?.[1])
      .find((value) => value !== undefined);
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      next(
        new HttpProblem(
          415,
          'unsupported-charset',
          `charset "${charset.toUpperCase()}" is not supported; send UTF-8`,
        ),
      );
      return;
    }
    next();
  };
}

/**
 * Answers 408 and closes the connection when a request's body has not fully arrived `timeoutMs`
 * after the request began: a body sent a byte at a time would otherwise hold a connection (and a
 * parser) for as long as the sender likes, since every byte resets an idle timeout.
 */
export function requestDeadline(timeoutMs: number): Middleware {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (req.complete || res.headersSent) return;
      const answer = problem(
        408,
        'request-timeout',
        `the request body did not arrive within ${timeoutMs} ms; send it at once`,
      );
      res.status(408).set('Connection', 'close').type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(answer));
      res.once('finish', () => req.socket.destroy());
    }, timeoutMs);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

/**
 * Parses JSON bodies with the limit of the longest matching `limits` path (else 100 kB), keeping
 * the exact bytes as `req.rawBody` (webhook signatures are computed over them). Parser errors
 * become problems: 413 over the limit, 415 unknown Content-Encoding or charset, 400 malformed.
 */
export function jsonBody(limits: readonly BodyLimit[] = []): Middleware {
  const verify = (req: Request & { rawBody?: Buffer }, _res: Response, buffer: Buffer) => {
    req.rawBody = buffer;
  };
  const parserFor = (limit: string) => json({ limit, verify, type: (req) => JSON_TYPE.test(typeOf(req)) });
  const fallback = parserFor(DEFAULT_BODY_LIMIT);
  const routed = [...limits]
    .sort((a, b) => b.path.length - a.path.length)
    .map(({ path, limit }) => ({ path, parse: parserFor(limit) }));
  return (req, res, next) => {
    const path = req.path;
    const parse =
      routed.find((route) => path === route.path || path.startsWith(`${route.path}/`))?.parse ?? fallback;
    parse(req, res, (error?: unknown) => {
      next(error === undefined ? undefined : isBodyParserError(error) ? bodyParserProblem(error) : error);
    });
  };
}

function typeOf(req: { headers: Record<string, unknown> }): string {
  const header = req.headers['content-type'];
  return typeof header === 'string' ? (header.split(';')[0]?.trim().toLowerCase() ?? '') : '';
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate (not valid Unicode)';
  return undefined;
}

/**
 * What makes a parsed JSON value unsafe to store or pass on, whatever the route: NUL characters
 * (PostgreSQL text cannot hold them), lone surrogates, nesting deeper than `maxDepth`. Keys are
 * checked like values. Walks at most `maxDepth` levels, so a 5,000-deep body costs nothing.
 */
export function unsafeJsonProblems(
  value: unknown,
  root = '(body)',
  maxDepth = MAX_JSON_DEPTH,
): ProblemFieldError[] {
  const problems: ProblemFieldError[] = [];
  const at = (path: string) => (path ? `${root === '(body)' ? '' : `${root}.`}${path}` : root);
  const visit = (node: unknown, path: string, depth: number): void => {
    if (problems.length >= MAX_LISTED) return;
    if (typeof node === 'string') {
      const problem = stringProblem(node);
      if (problem) problems.push({ field: at(path), detail: problem });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth >= maxDepth) {
      problems.push({ field: at(path), detail: `nested deeper than ${maxDepth} levels` });
      return;
    }
    const entries = Array.isArray(node)
      ? node.map((item, index) => [String(index), item] as const)
      : Object.entries(node);
    for (const [key, item] of entries) {
      const keyProblem = stringProblem(key);
      const child = path ? `${path}.${key}` : key;
      if (keyProblem) {
        problems.push({ field: at(path), detail: `a key ${keyProblem}` });
        continue;
      }
      visit(item, child, depth + 1);
    }
  };
  visit(value, '', 0);
  return problems;
}

/**
 * Refuses (400) a request whose body, query or path holds a NUL character, a lone surrogate or
 * too deep a nesting, before any handler or database sees it.
 */
export function inputSafety(maxDepth = MAX_JSON_DEPTH): Middleware {
  return (req, _res, next) => {
    const problems = [
      ...(/%00/i.test(req.originalUrl)
        ? [{ field: '(path)', detail: 'contains a NUL character (U+0000)' }]
        : []),
      ...unsafeJsonProblems(req.query, 'query', maxDepth),
      ...(req.body === undefined ? [] : unsafeJsonProblems(req.body, '(body)', maxDepth)),
    ];
    if (problems.length === 0) {
      next();
      return;
    }
    next(
      new HttpProblem(
        400,
        'invalid-input',
        `Invalid request: ${problems.map((problem) => `${problem.field}: ${problem.detail}`).join('; ')}`,
        problems,
      ),
    );
  };
}
