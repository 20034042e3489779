import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NextFunction, Request, Response } from 'express';

import { HttpProblem, Logger, LOGGER } from '@throughline/messaging-nest';
import { describeError } from '@throughline/platform';

import { WebhookIntake, WebhookSource } from '../application/webhook-intake.service';
import { sendAnswer } from './webhooks.controller';

/**
 * The service's request checks refuse some webhook requests before any handler runs (malformed or
 * oversized JSON, NUL characters, deep nesting, not JSON). This Express error handler, registered
 * for /webhooks after them and before Nest's own error handler, hands such requests to the intake
 * instead, so they are verified and recorded: when the body was read, signature first (401), then
 * the intake's own checks with their reasons (a batch keeps its good events); else the refusal as
 * is (413, 415), with what is known of the request kept.
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
        const refusedBody =
          error instanceof HttpProblem && [400, 413, 415].includes(error.status) ? error : undefined;
        if (!source || !refusedBody || req.method !== 'POST') {
          next(error);
          return;
        }
        const request = { method: req.method, pathAndQuery: req.originalUrl, headers: req.headers };
        const answer = req.rawBody
          ? this.intake.receive(source, { ...request, rawBody: req.rawBody })
          : this.intake.refuseUnreadable(source, request, refusedBody.status, refusedBody.message);
        answer.then(
          (result) => sendAnswer(res, result),
          (failure: unknown) => {
            this.logger.error(
              { source, error: describeError(failure) },
              'could not record a refused webhook',
            );
            next(failure);
          },
        );
      },
    );
  }
}
