import fc from 'fast-check';

import { FieldKind, FieldSpec, RouteModel } from './models';

/** A JSON token written as is (numbers JSON.stringify cannot write: 1e400, 30 digits, nesting). */
export class Raw {
  constructor(readonly text: string) {}
}

/** How a webhook request is signed (the fuzzer signs at send time, so timestamps are fresh). */
export type SignatureMode =
  | 'valid'
  | 'missing'
  | 'wrong-secret'
  | 'stale'
  | 'future'
  | 'tampered'
  | 'garbage-signature'
  | 'garbage-timestamp';

/** One hostile request, ready to send: every one of them must be refused. */
export interface FuzzRequest {
  mutation: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  signature?: { kind: 'hubspot' | 'salesforce'; mode: SignatureMode };
}

/** JSON text with Raw tokens in place. */
export function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Raw) {
      raws.push(item.text);
      return `__RAW_${raws.length - 1}__`;
    }
    return item;
  });
  return (text ?? 'null').replace(/"__RAW_(\d+)__"/g, (_, index: string) => raws[Number(index)] as string);
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Sets (or with `remove`, deletes) the value at a dotted path ("rates.0.rateMinor"). */
function setAt(root: unknown, path: string, value: unknown, remove = false): unknown {
  if (path === '') return value;
  const keys = path.split('.');
  let node = root as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = keys[keys.length - 1] as string;
  if (remove) delete node[last];
  else node[last] = value;
  return root;
}

const nested = (depth: number) => new Raw(`${'['.repeat(depth)}0${']'.repeat(depth)}`);

/** Strings that are not ids: shell metacharacters, traversal, markup, spaces, too long. */
const SHELL_IDS = [
  '`id`',
  '$(reboot)',
  'FUZZ;rm -rf /',
  'a|cat /etc/passwd',
  '../../etc/passwd',
  '..',
  'a b',
  '-rf',
  "a'b",
  'a"b',
  '<script>alert(1)</script>',
  'é',
  '💥',
  '%00',
  'a\nb',
  '',
  ' ',
  '.hidden',
];

function hostileIds(max: number): fc.Arbitrary<string> {
  const pattern = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,${max - 1}}$`);
  return fc.oneof(
    fc.constantFrom(...SHELL_IDS),
    fc.integer({ min: max + 1, max: max + 200 }).map((n) => 'A'.repeat(n)),
    fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }).filter((s) => !pattern.test(s)),
  );
}

const BAD_CURRENCIES = ['ZZZ', 'XTS', 'XXX', 'XAU', 'eur', 'EURO', 'EU', '', '€', 'DEM', '123', 'E R'];
const BAD_DATES = [
  '9999-12-31',
  '0001-01-01',
  '1999-12-31',
  '2101-01-01',
  '2026-02-30',
  '2027-02-29',
  '2026-13-01',
  '2026-00-10',
  '26-01-01',
  '2026-1-1',
  '2026/01/01',
  ' 2026-01-01',
  '+02026-01-01',
  '2026-01-01T00:00:00Z',
  '',
  'yesterday',
];
/** Not decimals (blanks around one are trimmed and accepted: the value is still exact). */
const BAD_DECIMALS = [
  '',
  'abc',
  '1e5',
  '1,50',
  '12.5.5',
  '0x10',
  'NaN',
  'Infinity',
  '-',
  '.',
  '１２',
  '12.345',
  '9'.repeat(40),
  '1 2.50',
];
const BAD_HOURS: unknown[] = [-1, 25, 24.01, '25', 'abc', '', '7,5', 1e300, '1e2', '7.555', '-0.5'];
const BAD_INSTANTS: unknown[] = [
  'yesterday',
  '',
  1e16,
  -1,
  '9999-12-31T00:00:00Z',
  '2026-12-01',
  new Raw('1e400'),
];

/** Values of the right JSON type that the kind's rules refuse. */
function invalidValues(type: FieldKind): fc.Arbitrary<unknown> | undefined {
  switch (type.kind) {
    case 'text':
      return fc.oneof(
        fc.integer({ min: type.max + 1, max: type.max + 2_000 }).map((n) => 'x'.repeat(n)),
        ...(type.empty ? [] : [fc.constant('')]),
        ...(type.empty || type.blank ? [] : [fc.constantFrom(' ', '   ', '\t\n')]),
      );
    case 'id':
      return hostileIds(type.max);
    case 'enum':
      return fc.oneof(
        fc.constantFrom(
          '',
          ' ',
          ...type.values.map((v) => v.toLowerCase()),
          ...type.values.map((v) => `${v} `),
        ),
        fc.string({ maxLength: 20 }).filter((s) => !type.values.includes(s)),
      );
    case 'currency':
      return fc.constantFrom(...BAD_CURRENCIES);
    case 'date':
      return fc.constantFrom(...BAD_DATES);
    case 'int':
      return fc.constantFrom(
        ...[
          type.min - 1,
          type.max + 1,
          type.min + 0.5,
          1e300,
          -1e300,
          new Raw('1e400'),
          new Raw('-1e400'),
          new Raw('123456789012345678901234567890'),
        ].filter(
          (value) =>
            typeof value !== 'number' || value < type.min || value > type.max || !Number.isInteger(value),
        ),
      );
    case 'decimal':
      return fc.constantFrom(...BAD_DECIMALS);
    case 'hours':
      return fc.constantFrom(...BAD_HOURS);
    case 'instant':
      return fc.constantFrom(...BAD_INSTANTS);
    case 'array':
      return fc.constantFrom<unknown>(
        'not an array',
        ...(type.empty ? [] : [[]]),
        ...(type.maxItems === undefined
          ? []
          : [Array.from({ length: type.maxItems + 1 }, (_, i) => `ID-${i}`)]),
      );
    case 'category':
      return fc.constantFrom('travel', '1TRAVEL', '', 'T'.repeat(41), 'TRAVEL-X', 'TRAVEL;ls');
    case 'salesforceId':
      return fc.oneof(
        fc.constantFrom(...SHELL_IDS, '0065g00000FuZZ1A', '0065g00000FuZZ1AA', '0065g00000FuZZ1AABC'),
      );
    case 'uuid':
      return fc.constantFrom(
        'not-a-uuid',
        '',
        '00000000-0000-4000-8000-00000000000g',
        '0'.repeat(32),
        '$(id)',
      );
    case 'jsonText':
      return fc.constantFrom('not json', '{', '{}', '[1]', '[{"Id":"bad id;"}]', '[{"Id":null}]');
    case 'literal':
      return fc.string({ maxLength: 30 }).filter((s) => s !== type.value);
    case 'rebuildFrom':
      return fc.constantFrom(
        'BEGINNING',
        '',
        'yesterday',
        '2026-12-01',
        '2026-12-01T00:00:00',
        '9999-12-31T00:00:00Z',
        '0001-01-01T00:00:00Z',
        '+275760-09-13T00:00:00Z',
      );
    case 'boolean':
    case 'object':
    case 'period':
    case 'intPath':
    case 'lookup':
      return undefined;
  }
}

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';

function acceptedTypes(spec: FieldSpec): JsonType[] {
  const kind = spec.type.kind;
  const types: JsonType[] =
    kind === 'int' || kind === 'intPath'
      ? ['number']
      : kind === 'hours' || kind === 'instant'
        ? ['string', 'number']
        : kind === 'boolean'
          ? ['boolean']
          : kind === 'array'
            ? ['array']
            : kind === 'object'
              ? ['object']
              : ['string'];
  return spec.nullable ? [...types, 'null'] : types;
}

const VALUES_OF_TYPE: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: fc.constantFrom('1', 'true', 'x', 'null', '{}'),
  number: fc.constantFrom(0, 1, -1, 1.5, 42),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.constantFrom([], ['x'], [1, 2]),
  object: fc.constantFrom({}, { value: 1 }),
};

function wrongTypes(spec: FieldSpec): fc.Arbitrary<unknown> {
  const accepted = acceptedTypes(spec);
  const others = (Object.keys(VALUES_OF_TYPE) as JsonType[]).filter((type) => !accepted.includes(type));
  return fc.oneof(...others.map((type) => VALUES_OF_TYPE[type]));
}

/** Hostile values for a path parameter of `type` (URL-encoded as sent). */
function hostilePathValues(type: FieldKind): fc.Arbitrary<string> {
  const common = fc.constantFrom(
    '%00',
    'a%00b',
    '%ZZ',
    '%',
    '%ED%A0%80',
    '%C0%AE%C0%AE',
    '..',
    '%2e%2e',
    '..%2F..%2Fetc%2Fpasswd',
    encodeURIComponent('$(reboot)'),
    encodeURIComponent('FUZZ;rm -rf /'),
    encodeURIComponent('`id`'),
    'a%20b',
    encodeURIComponent('💥'),
    'x'.repeat(2_000),
  );
  switch (type.kind) {
    case 'id':
      return fc.oneof(
        common,
        hostileIds(type.max)
          .map(encodeURIComponent)
          .filter((s) => s !== ''),
      );
    case 'period':
      return fc.oneof(
        common,
        fc.constantFrom(
          '2026-13',
          '2026-00',
          '9999-12',
          '0001-01',
          '1999-12',
          '2026-1',
          '202612',
          '2026-12-01',
        ),
      );
    case 'intPath':
      return fc.oneof(
        common,
        fc.constantFrom(
          '99999999999999999999',
          '9007199254740993',
          '-1',
          '1.5',
          '0x10',
          '1e3',
          'abc',
          '%201',
        ),
      );
    case 'lookup':
      return fc.oneof(common, fc.constantFrom('9'.repeat(30), '-1', '0'));
    default:
      return common;
  }
}

function pathOf(model: RouteModel, overrides: Record<string, string> = {}): string {
  return model.route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const param = model.params[name];
    if (!param) throw new Error(`${model.route}: no model of path parameter ${name}`);
    return overrides[name] ?? encodeURIComponent(param.valid);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Requests for `model` that must all be refused: the valid request with one thing broken (a field
 * of the wrong type, out of range, missing or unknown; a NUL, a lone surrogate, deep nesting, a
 * huge value; a hostile path parameter; a wrong content type or encoding; malformed JSON; a bad
 * signature).
 */
export function hostileRequests(model: RouteModel): fc.Arbitrary<FuzzRequest> {
  const signature = model.signature;
  const request = (mutation: string, body: string, extra: Partial<FuzzRequest> = {}): FuzzRequest => ({
    mutation,
    method: model.method,
    path: pathOf(model),
    headers: { ...JSON_HEADERS },
    body,
    ...(signature ? { signature: { kind: signature, mode: 'valid' as const } } : {}),
    ...extra,
  });
  const base = model.body;
  const validText = base === undefined ? '' : serialize(base);
  const withField = (path: string, value: unknown, remove = false) =>
    serialize(setAt(clone(base), path, value, remove));

  /** Kinds of breakage and their weights: field-level ones matter most, so they get most runs. */
  const families: fc.WeightedArbitrary<FuzzRequest>[] = [];
  const add = (weight: number, ...arbitraries: fc.Arbitrary<FuzzRequest>[]) =>
    families.push(...arbitraries.map((arbitrary) => ({ arbitrary, weight })));

  // One field broken.
  const fields = Object.entries(model.fields);
  if (fields.length > 0) {
    add(
      12,
      fc.constantFrom(...fields).chain(([path, spec]) => {
        const invalid = invalidValues(spec.type);
        const options: fc.WeightedArbitrary<FuzzRequest>[] = [
          {
            weight: 3,
            arbitrary: wrongTypes(spec).map((value) => request(`wrong-type ${path}`, withField(path, value))),
          },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udbff')
              .map((value) => request(`nul-or-surrogate ${path}`, withField(path, value))),
          },
          {
            weight: 1,
            arbitrary: fc
              .integer({ min: 33, max: 5_000 })
              .map((depth) => request(`deep ${path}`, withField(path, nested(depth)))),
          },
          {
            weight: 1,
            arbitrary: fc
              .integer({ min: model.bodyLimit + 1, max: model.bodyLimit + 64 * 1024 })
              .map((length) => request(`huge ${path}`, withField(path, 'x'.repeat(length)))),
          },
        ];
        if (spec.required) {
          options.push({
            weight: 1,
            arbitrary: fc.constant(request(`missing ${path}`, withField(path, undefined, true))),
          });
        }
        if (invalid) {
          options.push({
            weight: 5,
            arbitrary: invalid.map((value) => request(`invalid ${path}`, withField(path, value))),
          });
        }
        return fc.oneof(...options);
      }),
    );
  }

  // A hostile path parameter, the body valid.
  const params = Object.entries(model.params);
  if (params.length > 0) {
    add(
      fields.length > 0 ? 3 : 8,
      fc
        .constantFrom(...params)
        .chain(([name, param]) =>
          hostilePathValues(param.type).map((value) =>
            request(`path ${name}`, validText, { path: pathOf(model, { [name]: value }) }),
          ),
        ),
    );
  }

  // Unknown keys where the schema refuses them.
  if (model.strictObjects.length > 0) {
    add(
      2,
      fc
        .tuple(
          fc.constantFrom(...model.strictObjects),
          fc.oneof(
            fc.constantFrom('__proto__', 'constructor', 'isAdmin', '$where', 'extra', 'tenantId'),
            fc.string({ minLength: 1, maxLength: 12 }).map((s) => `zz${s}`),
          ),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([at, key, value]) => {
          const body = clone(base) as Record<string, unknown>;
          const target = (
            at === ''
              ? body
              : at.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], body)
          ) as Record<string, unknown>;
          Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
          return request(`extra-field ${at || '(body)'}`, serialize(body));
        }),
    );
  }

  // Content type, encoding, charset.
  add(
    1,
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/jsonx',
        'application/json, text/html',
        '',
      )
      .map((type) =>
        request(`content-type ${type || '(none)'}`, validText || '{}', {
          headers: type ? { 'content-type': type } : {},
        }),
      ),
    fc.constantFrom('bogus', 'gzip', 'deflate', 'br', 'gzip, bogus').map((encoding) =>
      request(`content-encoding ${encoding}`, validText || '{}', {
        headers: { ...JSON_HEADERS, 'content-encoding': encoding },
      }),
    ),
  );

  // Malformed JSON: the valid text cut short, or garbage.
  const text = validText || '{"a":1}';
  add(
    1,
    fc.oneof(
      fc
        .integer({ min: 1, max: text.length - 1 })
        .map((cut) => request('malformed-json truncated', text.slice(0, cut))),
      fc
        .constantFrom(
          '{',
          '{"a":}',
          "{'a':1}",
          '{"a":1,}',
          '[1,2',
          'NaN',
          `${text}x`,
          'undefined',
          '{"a":01}',
          '\u0000',
        )
        .map((garbage) => request('malformed-json garbage', garbage)),
    ),
  );

  // The whole body of the wrong kind, too deep, too large, or with a NUL in a key.
  const rootValues =
    base === undefined
      ? ['null', '"x"', '42', 'true']
      : ['null', '"x"', '42', 'true', Array.isArray(base) ? '{}' : '[]'];
  add(
    1,
    fc.constantFrom(...rootValues).map((body) => request('root-type', body)),
    fc.integer({ min: 33, max: 5_000 }).map((depth) => request('deep (body)', serialize(nested(depth)))),
    fc
      .integer({ min: model.bodyLimit + 1, max: model.bodyLimit + 64 * 1024 })
      .map((length) => request('huge (body)', serialize({ padding: 'x'.repeat(length) }))),
  );
  if (base !== undefined && !Array.isArray(base)) {
    add(1, fc.constant(request('nul-key', serialize({ ...(base as object), 'a\u0000': 1 }))));
  }

  // Signatures.
  if (signature) {
    add(
      4,
      fc
        .constantFrom<SignatureMode>(
          'missing',
          'wrong-secret',
          'stale',
          'future',
          'tampered',
          'garbage-signature',
          'garbage-timestamp',
        )
        .map((mode) => request(`signature ${mode}`, validText, { signature: { kind: signature, mode } })),
    );
  }
  return fc.oneof(...families);
}

/** The valid request of a model (the positive control). */
export function validRequest(model: RouteModel): FuzzRequest {
  return {
    mutation: 'valid',
    method: model.method,
    path: pathOf(model),
    headers: model.body === undefined ? {} : { ...JSON_HEADERS },
    body: model.body === undefined ? '' : serialize(model.body),
    ...(model.signature ? { signature: { kind: model.signature, mode: 'valid' as const } } : {}),
  };
}
