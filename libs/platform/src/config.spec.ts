import { z } from 'zod';

import { loadConfig } from './config';
import { ConfigurationError } from './errors';

describe('loadConfig', () => {
  it('names every invalid variable', () => {
    const load = () =>
      loadConfig({ PORT: z.coerce.number().int(), SECRET: z.string().min(8) }, { PORT: 'abc' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/PORT/);
    expect(load).toThrow(/SECRET/);
  });

  it('applies defaults and coercion', () => {
    expect(loadConfig({ PORT: z.coerce.number().default(3000) }, {})).toEqual({ PORT: 3000 });
  });
});
