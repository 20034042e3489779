import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { Response } from 'express';

import { describeError, Logger } from '@throughline/platform';

import { PROBLEM_CONTENT_TYPE, problemOf } from './problem';

/**
 * Answers every error as RFC 9457 problem details (see problem.ts): 4xx with the reason for client
 * mistakes, 503 only when a dependency is down, 500 (logged) for the rest.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const response = host.switchToHttp().getResponse<Response>();
    const { problem, log, retryAfter } = problemOf(error);
    if (log === 'error') {
      this.logger.error(
        { error: describeError(error), status: problem.status },
        'unhandled error in HTTP handler',
      );
    }
    if (response.headersSent) return;
    if (retryAfter !== undefined) response.setHeader('retry-after', String(retryAfter));
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
