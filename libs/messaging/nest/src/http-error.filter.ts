import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { Response } from 'express';

import {
  BusinessRuleViolation,
  describeError,
  Logger,
  NotFoundError,
  ValidationError,
} from '@throughline/platform';

/** Maps errors to HTTP answers with a reason: 400 for bad input, 422 for a business rule, never a crash. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof HttpException) {
      const body = error.getResponse();
      response.status(error.getStatus()).json(typeof body === 'string' ? { error: body } : body);
    } else if (error instanceof ValidationError) {
      response.status(HttpStatus.BAD_REQUEST).json({ error: error.message, ...error.context });
    } else if (error instanceof NotFoundError) {
      response.status(HttpStatus.NOT_FOUND).json({ error: error.message });
    } else if (error instanceof BusinessRuleViolation) {
      response.status(HttpStatus.UNPROCESSABLE_ENTITY).json({
        error: error.message,
        code: error.code,
        owner: error.ownerRole,
        remediation: error.remediation,
      });
    } else {
      this.logger.error({ error: describeError(error) }, 'unhandled error in HTTP handler');
      response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ error: 'temporarily unavailable, retry later' });
    }
  }
}
