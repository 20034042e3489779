import { Controller, Inject, Post, RawBodyRequest, Req, Res } from '@nestjs/common';
import { Request, Response } from 'express';

import { PROBLEM_CONTENT_TYPE, SignatureAuthenticated } from '@throughline/messaging-nest';

import { WebhookAnswer, WebhookIntake, WebhookSource } from '../application/webhook-intake.service';

/**
 * CRM webhooks. The service's JSON parser keeps the exact bytes (`rawBody`), which is what
 * signatures are computed over; the parsed body is never used. Bodies the parser or the input
 * checks refuse never reach these handlers: see WebhookBodyErrors.
 */
@Controller('webhooks')
@SignatureAuthenticated("CRM webhooks: each request carries the CRM's HMAC signature, checked by the handler")
export class WebhooksController {
  constructor(@Inject(WebhookIntake) private readonly intake: WebhookIntake) {}

  @Post('hubspot')
  async hubspot(@Req() req: RawBodyRequest<Request>, @Res() res: Response): Promise<void> {
    await this.handle('hubspot', req, res);
  }

  @Post('salesforce')
  async salesforce(@Req() req: RawBodyRequest<Request>, @Res() res: Response): Promise<void> {
    await this.handle('salesforce', req, res);
  }

  private async handle(source: WebhookSource, req: RawBodyRequest<Request>, res: Response): Promise<void> {
    const request = { method: req.method, pathAndQuery: req.originalUrl, headers: req.headers };
    // No rawBody: the request had no body (any body must be JSON, else it was answered 415).
    sendAnswer(
      res,
      await this.intake.receive(source, { ...request, rawBody: req.rawBody ?? Buffer.alloc(0) }),
    );
  }
}

export function sendAnswer(res: Response, answer: WebhookAnswer): void {
  if (answer.problem) res.status(answer.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(answer.body));
  else res.status(answer.status).json(answer.body);
}
