import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { z } from 'zod';

import {
  actorOf,
  BodySchema,
  Caller,
  ParamSchemas,
  parseBody,
  Principal,
  RequireScope,
} from '@throughline/messaging-nest';

import { MasterDataService, UpsertResult } from '../application/master-data.service';
import { MasterDataRecord } from '../domain/master-data';
import {
  customerBody,
  customerTaxProfileBody,
  legalEntityBody,
  masterDataBatchBody,
  masterDataId,
  projectTemplateBody,
  rateCardBody,
  taxRegimeBody,
} from './erp.schemas';

/**
 * ERP master data intake. The ERP is authoritative for customers, legal entities, rate cards,
 * project templates and tax master data (regimes, customer tax profiles); ingress validates and
 * relays them as *Upserted events.
 */
@Controller('erp')
export class ErpController {
  constructor(@Inject(MasterDataService) private readonly masterData: MasterDataService) {}

  @RequireScope('erp:write')
  @Put('customers/:customerId')
  @ParamSchemas({ customerId: masterDataId })
  @BodySchema(customerBody)
  @HttpCode(200)
  async putCustomer(
    @Param('customerId') customerId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const payload = { customerId: pathId('customerId', customerId), ...parseBody(customerBody, body) };
    return this.one({ kind: 'CUSTOMER', payload }, actorOf(caller), correlationId);
  }

  @RequireScope('erp:write')
  @Put('legal-entities/:legalEntityId')
  @ParamSchemas({ legalEntityId: masterDataId })
  @BodySchema(legalEntityBody)
  @HttpCode(200)
  async putLegalEntity(
    @Param('legalEntityId') legalEntityId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const payload = {
      legalEntityId: pathId('legalEntityId', legalEntityId),
      ...parseBody(legalEntityBody, body),
    };
    return this.one({ kind: 'LEGAL_ENTITY', payload }, actorOf(caller), correlationId);
  }

  @RequireScope('erp:write')
  @Put('rate-cards/:rateCardId')
  @ParamSchemas({ rateCardId: masterDataId })
  @BodySchema(rateCardBody)
  @HttpCode(200)
  async putRateCard(
    @Param('rateCardId') rateCardId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const payload = { rateCardId: pathId('rateCardId', rateCardId), ...parseBody(rateCardBody, body) };
    return this.one({ kind: 'RATE_CARD', payload }, actorOf(caller), correlationId);
  }

  @RequireScope('erp:write')
  @Put('project-templates/:templateId')
  @ParamSchemas({ templateId: masterDataId })
  @BodySchema(projectTemplateBody)
  @HttpCode(200)
  async putProjectTemplate(
    @Param('templateId') templateId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const payload = { templateId: pathId('templateId', templateId), ...parseBody(projectTemplateBody, body) };
    return this.one({ kind: 'PROJECT_TEMPLATE', payload }, actorOf(caller), correlationId);
  }

  @RequireScope('erp:write')
  @Put('tax-regimes/:legalEntityId')
  @ParamSchemas({ legalEntityId: masterDataId })
  @BodySchema(taxRegimeBody)
  @HttpCode(200)
  async putTaxRegime(
    @Param('legalEntityId') legalEntityId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const payload = {
      legalEntityId: pathId('legalEntityId', legalEntityId),
      ...parseBody(taxRegimeBody, body),
    };
    return this.one({ kind: 'TAX_REGIME', payload }, actorOf(caller), correlationId);
  }

  @RequireScope('erp:write')
  @Put('customer-tax-profiles/:customerId')
  @ParamSchemas({ customerId: masterDataId })
  @BodySchema(customerTaxProfileBody)
  @HttpCode(200)
  async putCustomerTaxProfile(
    @Param('customerId') customerId: string,
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const payload = {
      customerId: pathId('customerId', customerId),
      ...parseBody(customerTaxProfileBody, body),
    };
    return this.one({ kind: 'CUSTOMER_TAX_PROFILE', payload }, actorOf(caller), correlationId);
  }

  /** Seeding: many records at once, all or nothing. */
  @RequireScope('erp:write')
  @Post('master-data')
  @BodySchema(masterDataBatchBody)
  @HttpCode(200)
  async postBatch(
    @Body() body: unknown,
    @Caller() caller: Principal | undefined,
    @Headers('x-correlation-id') correlationId?: string,
  ) {
    const batch = parseBody(masterDataBatchBody, body);
    const records: MasterDataRecord[] = [
      ...batch.legalEntities.map((payload): MasterDataRecord => ({ kind: 'LEGAL_ENTITY', payload })),
      ...batch.customers.map((payload): MasterDataRecord => ({ kind: 'CUSTOMER', payload })),
      ...batch.rateCards.map((payload): MasterDataRecord => ({ kind: 'RATE_CARD', payload })),
      ...batch.projectTemplates.map((payload): MasterDataRecord => ({ kind: 'PROJECT_TEMPLATE', payload })),
      ...batch.taxRegimes.map((payload): MasterDataRecord => ({ kind: 'TAX_REGIME', payload })),
      ...batch.customerTaxProfiles.map((payload): MasterDataRecord => ({
        kind: 'CUSTOMER_TAX_PROFILE',
        payload,
      })),
    ];
    const results = await this.masterData.upsert(records, actorOf(caller), correlationId);
    return {
      published: results.filter((result) => result.outcome === 'PUBLISHED').length,
      unchanged: results.filter((result) => result.outcome === 'UNCHANGED').length,
      results,
    };
  }

  private async one(
    record: MasterDataRecord,
    actor: string,
    correlationId?: string,
  ): Promise<UpsertResult & { record: unknown }> {
    const [result] = await this.masterData.upsert([record], actor, correlationId);
    return { ...(result as UpsertResult), record: record.payload };
  }
}

function pathId(name: string, value: string): string {
  return parseBody(z.object({ [name]: masterDataId }), { [name]: value })[name] as string;
}
