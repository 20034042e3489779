import { Controller, Inject, Post, RawBodyRequest, Req, Res } from '@nestjs/common';
import { Request, Response } from 'express';

import { WebhookIntake, WebhookRequest, WebhookSource } from '../application/webhook-intake.service';

/** Bodies that arrive without a JSON content type are read here, up to this size. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/**
 * CRM webhooks. Nest's JSON parser keeps the exact bytes (`rawBody`), which is what signatures are
 * computed over; the parsed body is never used. Malformed JSON never reaches these handlers: see
 * WebhookBodyErrors.
 */
@Controller('webhooks')
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
    const rawBody = req.rawBody ?? (await readBody(req));
    const answer = rawBody
      ? await this.intake.receive(source, { ...request, rawBody })
      : await this.intake.refuseUnreadable(source, request, 413, `body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
    res.status(answer.status).json(answer.body);
  }
}

/** The body of a request no parser consumed (no or another content type); null when too large. */
async function readBody(req: Request): Promise<WebhookRequest['rawBody'] | null> {
  if (!req.readable) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_WEBHOOK_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
