import { Controller, Inject, Post, RawBodyRequest, Req, Res } from '@nestjs/common';
import { Request, Response } from 'express';
import { z } from 'zod';

import {
  ApiResponses,
  BodySchema,
  PROBLEM_CONTENT_TYPE,
  SignatureAuthenticated,
  SignatureHeaders,
} from '@throughline/messaging-nest';

import { WebhookAnswer, WebhookIntake, WebhookSource } from '../application/webhook-intake.service';
import { hubSpotWebhookEventSchema } from '../domain/hubspot';
import { salesforceEventSchema } from '../domain/salesforce';

/** What the HubSpot intake accepts: 1 to 1,000 events (hubSpotWebhookBatchSchema), each checked with the event schema. */
const hubSpotBatch = z.array(hubSpotWebhookEventSchema).min(1).max(1_000);

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
  @SignatureHeaders({
    'X-HubSpot-Signature-v3': 'base64(HMAC-SHA256(app secret, method + public URI + body + timestamp))',
    'X-HubSpot-Request-Timestamp': 'epoch milliseconds; refused beyond 5 minutes from now',
  })
  @BodySchema(hubSpotBatch, {
    description:
      'A batch of HubSpot webhook events (v3); each is checked on its own, a bad one is refused with its reason while the others are recorded.',
  })
  @ApiResponses({ status: 202, description: 'Recorded (deliveries), with the events refused and why' })
  async hubspot(@Req() req: RawBodyRequest<Request>, @Res() res: Response): Promise<void> {
    await this.handle('hubspot', req, res);
  }

  @Post('salesforce')
  @SignatureHeaders({
    'X-Throughline-Signature': 'sha256= + hex(HMAC-SHA256(secret, timestamp + "." + body))',
    'X-Throughline-Timestamp': 'epoch milliseconds; refused beyond 5 minutes from now',
  })
  @BodySchema(salesforceEventSchema, { description: 'One Opportunity_Closed_Won__e platform event.' })
  @ApiResponses(
    { status: 200, description: 'Recorded (DealWon published when the deal maps)' },
    { status: 422, description: 'Recorded as REJECTED: the deal cannot be mapped (reason in error)' },
  )
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
