import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { NetSuiteTbaCredentials, netSuiteTbaProblem } from './netsuite-tba';

/**
 * A local stand-in for NetSuite REST web services (record API v1), for the outbound service's tests
 * and the demo. NetSuite publishes no OpenAPI description outside an account (see
 * vendor/netsuite/SOURCE.md), so the bodies are checked by hand against Oracle's documentation, and
 * more strictly than NetSuite's default (which only warns about unknown property names).
 */

const RECORD_API = '/services/rest/record/v1';

/** Items Throughline's invoice lines reference (an admin creates them once in NetSuite). */
export const DEFAULT_NETSUITE_ITEMS = ['TIME', 'EXPENSE', 'MILESTONE', 'RETAINER', 'PROGRESS'].map(
  (kind) => `THROUGHLINE-${kind}`,
);

export interface NetSuiteStubCustomer {
  id: string;
  externalId: string;
  companyName: string;
  isPerson: boolean;
  isInactive: boolean;
}

export interface NetSuiteStubJob {
  id: string;
  externalId: string;
  companyName: string;
  /** External id of the customer. */
  parent: string;
  startDate?: string;
  projectedEndDate?: string;
}

export interface NetSuiteStubInvoiceLine {
  item: string;
  description?: string;
  quantity?: number;
  rate?: number;
  amount: number;
}

export interface NetSuiteStubInvoice {
  id: string;
  externalId?: string;
  tranId?: string;
  /** External id of the customer. */
  entity: string;
  tranDate?: string;
  dueDate?: string;
  memo?: string;
  lines: NetSuiteStubInvoiceLine[];
  /** Sum of the line amounts, as decimal text with two fraction digits. */
  total: string;
  idempotencyKey?: string;
}

export interface NetSuiteStubData {
  /** By external id. */
  customers: Record<string, NetSuiteStubCustomer>;
  invoices: NetSuiteStubInvoice[];
  /** Projects (`job`) by external id. */
  jobs: Record<string, NetSuiteStubJob>;
  /** External ids of the items invoice lines may reference. */
  items: string[];
}

export interface NetSuiteStubRequest {
  method: string;
  path: string;
  body: unknown;
  idempotencyKey: string | undefined;
  authorized: boolean;
  /** Why the credentials were refused, when they were. */
  authProblem: string | undefined;
  status: number;
  receivedAt: number;
}

export interface NetSuiteStub {
  url: string;
  credentials: NetSuiteTbaCredentials;
  data: NetSuiteStubData;
  requests: NetSuiteStubRequest[];
  /** The next `times` requests (whose path starts with `pathPrefix`, if given) answer `status`. */
  failNext(options: {
    status: number;
    times?: number;
    pathPrefix?: string;
    retryAfterSeconds?: number;
  }): void;
  close(): Promise<void>;
}

export const NETSUITE_STUB_CREDENTIALS: NetSuiteTbaCredentials = {
  accountId: '1234567_SB1',
  consumerKey: 'dev-netsuite-consumer-key',
  consumerSecret: 'dev-netsuite-consumer-secret',
  tokenId: 'dev-netsuite-token-id',
  tokenSecret: 'dev-netsuite-token-secret',
};

const STATUS_TEXT: Record<number, { title: string; section: string }> = {
  400: { title: 'Bad Request', section: '10.4.1' },
  401: { title: 'Unauthorized', section: '10.4.2' },
  404: { title: 'Not Found', section: '10.4.5' },
  405: { title: 'Method Not Allowed', section: '10.4.6' },
  429: { title: 'Too Many Requests', section: '6' },
  500: { title: 'Internal Server Error', section: '10.5.1' },
  503: { title: 'Service Unavailable', section: '10.5.4' },
};

/** NetSuite's error body: `{ type, title, status, "o:errorDetails": [{ detail, "o:errorCode", ... }] }`. */
export function netSuiteErrorBody(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, string> = {},
) {
  const text = STATUS_TEXT[status] ?? { title: 'Error', section: '10' };
  return {
    type:
      status === 429
        ? 'https://tools.ietf.org/html/rfc6585#section-4'
        : `https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec${text.section}`,
    title: text.title,
    status,
    'o:errorDetails': [{ detail, 'o:errorCode': code, ...extra }],
  };
}

export async function startNetSuiteStub(
  options: {
    credentials?: NetSuiteTbaCredentials;
    customers?: Record<string, NetSuiteStubCustomer>;
    items?: string[];
  } = {},
): Promise<NetSuiteStub> {
  const credentials = options.credentials ?? NETSUITE_STUB_CREDENTIALS;
  const store: NetSuiteStubData = {
    customers: options.customers ?? {},
    invoices: [],
    jobs: {},
    items: options.items ?? [...DEFAULT_NETSUITE_ITEMS],
  };
  const requests: NetSuiteStubRequest[] = [];
  const seenNonces = new Set<string>();
  const failures: { status: number; remaining: number; pathPrefix?: string; retryAfterSeconds?: number }[] =
    [];
  let nextId = 1000;
  let baseUrl = '';

  const server = createServer((req, res) => {
    void handle(req, res).catch((failure: unknown) =>
      send(res, 500, netSuiteErrorBody(500, 'UNEXPECTED_ERROR', `stub failure: ${String(failure)}`)),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const text = await readText(req);
    const authProblem = netSuiteTbaProblem({
      credentials,
      method,
      url: url.href,
      authorization: req.headers.authorization,
      seenNonces,
    });
    const idempotencyKey = header(req, 'x-netsuite-idempotency-key');
    const request: NetSuiteStubRequest = {
      method,
      path: decodeURIComponent(url.pathname),
      body: text ? safeJson(text) : undefined,
      idempotencyKey,
      authorized: !authProblem,
      authProblem,
      status: 0,
      receivedAt: Date.now(),
    };
    requests.push(request);
    const answer = (status: number, body?: unknown, location?: string) => {
      request.status = status;
      if (location) res.setHeader('location', location);
      send(res, status, body);
    };
    if (authProblem) {
      return answer(
        401,
        netSuiteErrorBody(
          401,
          'INVALID_LOGIN',
          'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
        ),
      );
    }
    const failure = failures.find(
      (candidate) => !candidate.pathPrefix || request.path.startsWith(candidate.pathPrefix),
    );
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) failures.splice(failures.indexOf(failure), 1);
      if (failure.retryAfterSeconds !== undefined)
        res.setHeader('retry-after', String(failure.retryAfterSeconds));
      return failure.status === 429
        ? answer(
            429,
            netSuiteErrorBody(
              429,
              'CONCURRENCY_LIMIT_EXCEEDED',
              'Concurrent request limit exceeded. Request blocked.',
            ),
          )
        : answer(
            failure.status,
            netSuiteErrorBody(failure.status, 'UNEXPECTED_ERROR', 'An unexpected error occurred.'),
          );
    }

    const body = request.body;
    const customerMatch = new RegExp(`^${RECORD_API}/customer/eid:([A-Za-z0-9_-]+)$`).exec(request.path);
    if (customerMatch?.[1] && method === 'PUT') {
      const externalId = customerMatch[1];
      const problems = customerProblems(body, externalId);
      if (problems.length > 0) return answer(400, invalidBody(problems));
      const fields = body as { companyName: string; isPerson?: boolean; isInactive?: boolean };
      const known = store.customers[externalId];
      const customer: NetSuiteStubCustomer = {
        id: known?.id ?? String((nextId += 1)),
        externalId,
        companyName: fields.companyName,
        isPerson: fields.isPerson ?? false,
        isInactive: fields.isInactive ?? known?.isInactive ?? false,
      };
      store.customers[externalId] = customer;
      return answer(204, undefined, `${baseUrl}${RECORD_API}/customer/${customer.id}`);
    }
    const jobMatch = new RegExp(`^${RECORD_API}/job/eid:([A-Za-z0-9_-]+)$`).exec(request.path);
    if (jobMatch?.[1] && method === 'PUT') {
      const externalId = jobMatch[1];
      const problems = fields(
        body,
        '$',
        { externalId: str, companyName: str, parent: ref, startDate: date, projectedEndDate: date },
        ['companyName', 'parent'],
      );
      if (problems.length > 0) return answer(400, invalidBody(problems));
      const job = body as { companyName: string; parent: Ref; startDate?: string; projectedEndDate?: string };
      const parent = job.parent.externalId ?? '';
      if (!store.customers[parent]) return answer(400, invalidReference(parent, 'parent'));
      const saved: NetSuiteStubJob = {
        id: store.jobs[externalId]?.id ?? String((nextId += 1)),
        externalId,
        companyName: job.companyName,
        parent,
        startDate: job.startDate,
        projectedEndDate: job.projectedEndDate,
      };
      store.jobs[externalId] = saved;
      return answer(204, undefined, `${baseUrl}${RECORD_API}/job/${saved.id}`);
    }
    if (request.path === `${RECORD_API}/invoice` && method === 'POST') {
      // The same idempotency key answers as the first request did, whatever the body: one invoice.
      const earlier = idempotencyKey
        ? store.invoices.find((invoice) => invoice.idempotencyKey === idempotencyKey)
        : undefined;
      if (earlier) return answer(204, undefined, `${baseUrl}${RECORD_API}/invoice/${earlier.id}`);
      const problems = invoiceProblems(body);
      if (problems.length > 0) return answer(400, invalidBody(problems));
      const fields = body as InvoiceBody;
      const entity = fields.entity.externalId ?? '';
      if (!store.customers[entity]) return answer(400, invalidReference(entity, 'entity'));
      const unknownItem = fields.item.items.findIndex(
        (line) => !store.items.includes(line.item.externalId ?? ''),
      );
      if (unknownItem >= 0) {
        const ref = fields.item.items[unknownItem]?.item.externalId ?? '';
        return answer(
          400,
          netSuiteErrorBody(
            400,
            'USER_ERROR',
            `Error while accessing a resource. You have entered an Invalid Field Value ${ref} for the following field: item`,
            { 'o:errorPath': `item.items[${unknownItem}].item` },
          ),
        );
      }
      if (fields.externalId && store.invoices.some((invoice) => invoice.externalId === fields.externalId)) {
        return answer(
          400,
          netSuiteErrorBody(
            400,
            'USER_ERROR',
            `A record with the same external ID ${fields.externalId} already exists.`,
            { 'o:errorPath': 'externalId' },
          ),
        );
      }
      const invoice: NetSuiteStubInvoice = {
        id: String((nextId += 1)),
        externalId: fields.externalId,
        tranId: fields.tranId,
        entity,
        tranDate: fields.tranDate,
        dueDate: fields.dueDate,
        memo: fields.memo,
        lines: fields.item.items.map((line) => ({
          item: line.item.externalId ?? '',
          description: line.description,
          quantity: line.quantity,
          rate: line.rate,
          amount: line.amount,
        })),
        total: centsText(fields.item.items.reduce((sum, line) => sum + cents(line.amount), 0n)),
        idempotencyKey,
      };
      store.invoices.push(invoice);
      return answer(204, undefined, `${baseUrl}${RECORD_API}/invoice/${invoice.id}`);
    }
    answer(404, netSuiteErrorBody(404, 'NONEXISTENT_ID', `No route ${method} ${request.path}.`));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    credentials,
    data: store,
    requests,
    failNext: ({ status, times = 1, pathPrefix, retryAfterSeconds }) => {
      failures.push({ status, remaining: times, pathPrefix, retryAfterSeconds });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((closeError) => (closeError ? reject(closeError) : resolve()));
      }),
  };
}

interface Ref {
  id?: string;
  externalId?: string;
}

interface InvoiceBody {
  externalId?: string;
  tranId?: string;
  entity: Ref;
  tranDate?: string;
  dueDate?: string;
  memo?: string;
  item: { items: { item: Ref; description?: string; quantity?: number; rate?: number; amount: number }[] };
}

type FieldCheck = (value: unknown, at: string) => string[];
const str: FieldCheck = (value, at) => (typeof value === 'string' ? [] : [`${at}: must be a string`]);
const bool: FieldCheck = (value, at) => (typeof value === 'boolean' ? [] : [`${at}: must be a boolean`]);
const num: FieldCheck = (value, at) =>
  typeof value === 'number' && Number.isFinite(value) ? [] : [`${at}: must be a number`];
const date: FieldCheck = (value, at) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? [] : [`${at}: must be a date YYYY-MM-DD`];
const ref: FieldCheck = (value, at) =>
  fields(value, at, { id: str, externalId: str }, []).concat(
    isObject(value) && value['id'] === undefined && value['externalId'] === undefined
      ? [`${at}: needs id or externalId`]
      : [],
  );

/** Checks an object's fields: required ones present, none unknown, each of its type. */
function fields(value: unknown, at: string, known: Record<string, FieldCheck>, required: string[]): string[] {
  if (!isObject(value)) return [`${at}: must be an object`];
  return [
    ...required.filter((name) => value[name] === undefined).map((name) => `${at}.${name}: is required`),
    ...Object.entries(value).flatMap(([name, inner]) => {
      const check = known[name];
      return check ? check(inner, `${at}.${name}`) : [`${at}.${name}: is not a field this stub knows`];
    }),
  ];
}

function customerProblems(body: unknown, externalId: string): string[] {
  const problems = fields(
    body,
    '$',
    { externalId: str, companyName: str, isPerson: bool, isInactive: bool },
    ['companyName'],
  );
  if (isObject(body) && body['externalId'] !== undefined && body['externalId'] !== externalId)
    problems.push('$.externalId: differs from the eid in the URL');
  if (isObject(body) && typeof body['companyName'] === 'string' && body['companyName'].length > 83)
    problems.push('$.companyName: longer than 83 characters');
  return problems;
}

function invoiceProblems(body: unknown): string[] {
  const line: FieldCheck = (value, at) => {
    const problems = fields(
      value,
      at,
      { item: ref, description: str, quantity: num, rate: num, amount: num },
      ['item', 'amount'],
    );
    if (problems.length > 0 || !isObject(value)) return problems;
    const { quantity, rate, amount } = value as { quantity?: number; rate?: number; amount: number };
    for (const [name, figure] of [
      ['amount', amount],
      ['rate', rate],
      ['quantity', quantity],
    ] as const) {
      if (figure !== undefined && !/^-?\d+(\.\d{1,2})?$/.test(String(figure)))
        problems.push(`${at}.${name}: more than two decimals`);
    }
    // Quantity × rate must give the amount, or NetSuite would recompute it.
    if (problems.length === 0 && quantity !== undefined && rate !== undefined) {
      if (cents(quantity) * cents(rate) !== cents(amount) * 100n)
        problems.push(`${at}.amount: is not quantity × rate`);
    }
    return problems;
  };
  const items: FieldCheck = (value, at) => {
    const problems = fields(value, at, { items: (list, listAt) => listProblems(list, listAt, line) }, [
      'items',
    ]);
    return problems;
  };
  return fields(
    body,
    '$',
    { externalId: str, tranId: str, entity: ref, tranDate: date, dueDate: date, memo: str, item: items },
    ['entity', 'item'],
  );
}

function listProblems(value: unknown, at: string, element: FieldCheck): string[] {
  if (!Array.isArray(value)) return [`${at}: must be an array`];
  if (value.length === 0) return [`${at}: must not be empty`];
  return value.flatMap((inner, index) => element(inner, `${at}[${index}]`));
}

/** An unknown record reference, as NetSuite reports it. */
function invalidReference(value: string, field: string) {
  return netSuiteErrorBody(
    400,
    'USER_ERROR',
    `Error while accessing a resource. You have entered an Invalid Field Value ${value} for the following field: ${field}`,
    { 'o:errorPath': field },
  );
}

function invalidBody(problems: string[]) {
  return {
    ...netSuiteErrorBody(400, 'INVALID_CONTENT', `Invalid content in the request body. ${problems[0] ?? ''}`),
    'o:errorDetails': problems.map((problem) => ({
      detail: `Invalid content in the request body. ${problem}`,
      'o:errorCode': 'INVALID_CONTENT',
    })),
  };
}

/** A decimal number with at most two fraction digits in hundredths, exactly (from its shortest text). */
function cents(value: number): bigint {
  const [whole = '0', fraction = ''] = String(Math.abs(value)).split('.');
  const hundredths = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return value < 0 ? -hundredths : hundredths;
}

function centsText(hundredths: bigint): string {
  const sign = hundredths < 0n ? '-' : '';
  const digits = (hundredths < 0n ? -hundredths : hundredths).toString().padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/vnd.oracle.resource+json; type=error' });
  res.end(JSON.stringify(body));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
