import { HubSpotStub, startHubSpotStub } from './hubspot-stub';
import { componentSchema, HUBSPOT_DEALS_SPEC_FILE, loadVendorSpec, validateSchema } from './openapi';

const spec = loadVendorSpec(HUBSPOT_DEALS_SPEC_FILE);

describe('HubSpot stub: deal update (PATCH) against the published description', () => {
  let stub: HubSpotStub;

  beforeEach(async () => {
    stub = await startHubSpotStub({ deals: { '501': { properties: { dealname: 'Rollout' } } } });
  });

  afterEach(() => stub.close());

  const patch = (path: string, body: unknown) =>
    fetch(`${stub.url}${path}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${stub.accessToken}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('updates the deal and answers with a SimplePublicObject', async () => {
    const response = await patch('/crm/v3/objects/deals/501', {
      properties: { throughline_setup_status: 'READY', dealname: 'Rollout NL' },
    });
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    expect(validateSchema(spec, componentSchema(spec, 'SimplePublicObject'), body)).toEqual([]);
    expect(body).toMatchObject({ id: '501', properties: { throughline_setup_status: 'READY' } });
    expect(stub.data.deals['501']?.properties).toMatchObject({ dealname: 'Rollout NL' });
  });

  it('takes the object type id path the description uses', async () => {
    expect((await patch('/crm/v3/objects/0-3/501', { properties: { amount: '100' } })).status).toBe(200);
  });

  it.each([
    ['no properties object', {}, /\$\.properties: is required/],
    [
      'a non-string property value',
      { properties: { amount: 100 } },
      /\$\.properties\.amount: must be a string/,
    ],
    ['a body that is not JSON', '{', /not valid JSON/],
  ])('refuses %s with a 400 Error body', async (_name, body, message) => {
    const response = await patch('/crm/v3/objects/deals/501', body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { message: string; category: string };
    expect(validateSchema(spec, componentSchema(spec, 'Error'), error)).toEqual([]);
    expect(error.category).toBe('VALIDATION_ERROR');
    expect(error.message).toMatch(message);
    expect(stub.data.deals['501']?.properties).toEqual({ dealname: 'Rollout' });
  });

  it('refuses properties the portal does not define, and read-only ones', async () => {
    const response = await patch('/crm/v3/objects/deals/501', {
      properties: { throughline_unknown: 'x', hs_object_id: '1' },
    });
    expect(response.status).toBe(400);
    const error = (await response.json()) as { message: string };
    expect(error.message).toMatch(/PROPERTY_DOESNT_EXIST.*throughline_unknown/);
    expect(error.message).toMatch(/READ_ONLY_VALUE.*hs_object_id/);
  });

  it('answers 404 with an Error body for an unknown deal', async () => {
    const response = await patch('/crm/v3/objects/deals/999', { properties: { amount: '1' } });
    expect(response.status).toBe(404);
    expect(validateSchema(spec, componentSchema(spec, 'Error'), await response.json())).toEqual([]);
  });

  it('answers a rate limit with 429, Retry-After and an Error body', async () => {
    stub.failNext({ status: 429, retryAfterSeconds: 2, pathPrefix: '/crm/v3/objects/deals/' });
    const response = await patch('/crm/v3/objects/deals/501', { properties: { amount: '1' } });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(validateSchema(spec, componentSchema(spec, 'Error'), await response.json())).toEqual([]);
  });
});

describe('validateSchema', () => {
  it('refuses schemas it cannot check instead of passing them', () => {
    expect(() => validateSchema(spec, { oneOf: [] }, {})).toThrow(/oneOf is not supported/);
  });

  it('follows $ref into the components', () => {
    expect(
      validateSchema(spec, { $ref: '#/components/schemas/SimplePublicObjectInput' }, { properties: [] }),
    ).toEqual(['$.properties: must be an object']);
  });
});
