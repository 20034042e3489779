import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { json, NextFunction, Request, Response } from 'express';

/** A batch of 500 entries with long ids and approval fields is ~150 kB; the longest allowed fields ~1 MB. */
export const PSA_BODY_LIMIT = '1mb';

/**
 * The global JSON parser keeps Express's 100 kB default (the webhooks' documented limit), which a
 * full PSA batch (up to 500 entries) can exceed. This registers a parser with a larger limit for
 * /psa only. It must run in the constructor: providers are created before Nest registers its
 * global parser at init, and that parser skips a request whose body was already read. Malformed or
 * oversized bodies are answered here as JSON with the reason (400 / 413), like every other error.
 */
@Injectable()
export class PsaBodyParser {
  constructor(@Inject(HttpAdapterHost) adapterHost: HttpAdapterHost) {
    const adapter = adapterHost.httpAdapter;
    // Wrapped: Nest skips its global parser when a middleware named "jsonParser" (the name of
    // Express's json()) is already registered, which would leave every other route unparsed.
    const parse = json({ limit: PSA_BODY_LIMIT });
    adapter.use('/psa', (req: Request, res: Response, next: NextFunction) => parse(req, res, next));
    adapter.use('/psa', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      const parserError = error as { type?: unknown; status?: number; message?: string } | null;
      if (
        typeof parserError?.type !== 'string' ||
        !/^(entity|encoding|charset|request)\./.test(parserError.type)
      ) {
        next(error);
        return;
      }
      const status = parserError.status ?? 400;
      res.status(status).json({
        error:
          status === 413
            ? `request body over ${PSA_BODY_LIMIT}; send at most 500 entries per request`
            : `unreadable JSON body: ${parserError.message ?? parserError.type}`,
      });
    });
  }
}
