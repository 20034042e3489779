import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NextFunction, Request, Response } from 'express';

import { Logger, LOGGER } from '@throughline/messaging-nest';
import { describeError } from '@throughline/platform';

import { WebhookIntake, WebhookSource } from '../application/webhook-intake.service';

interface BodyParserError {
  type: string;
  status?: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && /^(entity|encoding|charset|request)\./.test(type);
}

/**
 * Nest's global JSON parser answers malformed webhook bodies itself (a bare 400) before any handler
 * runs, so nothing would verify, record or explain them. This Express error handler, registered
 * for /webhooks after the parser and before Nest's own error handler, hands such requests to the
 * intake instead: signature first (401), else 400 with the parser's reason, raw body kept.
 */
@Injectable()
export class WebhookBodyErrors implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(WebhookIntake) private readonly intake: WebhookIntake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.adapterHost.httpAdapter?.use(
      '/webhooks',
      (error: unknown, req: Request & { rawBody?: Buffer }, res: Response, next: NextFunction) => {
        const source: WebhookSource | undefined =
          req.path === '/hubspot' ? 'hubspot' : req.path === '/salesforce' ? 'salesforce' : undefined;
        if (!source || !isBodyParserError(error) || req.method !== 'POST') {
          next(error);
          return;
        }
        const request = { method: req.method, pathAndQuery: req.originalUrl, headers: req.headers };
        const status = error.status ?? 400;
        const answer = req.rawBody
          ? this.intake.receive(source, { ...request, rawBody: req.rawBody })
          : this.intake.refuseUnreadable(source, request, status, `unreadable body: ${error.message}`);
        answer.then(
          ({ status: answered, body }) => res.status(answered).json(body),
          (failure: unknown) => {
            this.logger.error(
              { source, error: describeError(failure) },
              'could not record a refused webhook',
            );
            res.status(503).json({ error: 'temporarily unavailable, retry later' });
          },
        );
      },
    );
  }
}
