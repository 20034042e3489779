import { z } from 'zod';

import { BILLING_TYPES, CUSTOMER_STATUSES } from '@throughline/contracts';
import { isIsoCurrency } from '@throughline/money';

import { DATE_RANGE_MESSAGE, isSaneDate } from '../domain/calendar';
import { projectTemplateIssues, rateCardIssues, RuleIssue, taxRegimeIssues } from '../domain/master-data';

export const masterDataId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'expected 1-64 letters, digits, ".", "_", ":" or "-"');
const name = z.string().trim().min(1).max(200);
const currency = z.string().refine(isIsoCurrency, 'expected an ISO 4217 currency code such as EUR');
const country = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO-3166 alpha-2 code such as DE');
const date = z.string().refine(isSaneDate, DATE_RANGE_MESSAGE);
const minorUnits = z.number().int('expected integer minor units').nonnegative().max(Number.MAX_SAFE_INTEGER);
const days = z.number().int().nonnegative().max(36_600);
const basisPoints = z.number().int().min(0).max(10_000);
const taxCode = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'expected 1-32 letters, digits, ".", "_" or "-"');

function addIssues(ctx: z.RefinementCtx, issues: readonly RuleIssue[]): void {
  for (const issue of issues)
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: issue.path, message: issue.message });
}

const customerFields = {
  name,
  status: z.enum(CUSTOMER_STATUSES),
  billingCurrency: currency,
};

const legalEntityFields = {
  name,
  country,
  currency,
  taxRegistrationId: z.string().trim().min(1).max(64).nullable().default(null),
};

const rateCardFields = {
  legalEntityId: masterDataId,
  currency,
  effectiveFrom: date,
  effectiveTo: date.nullable().default(null),
  rates: z
    .array(
      z
        .object({
          role: name,
          rateMinor: minorUnits,
          costRateMinor: minorUnits.nullable().default(null),
        })
        .strict(),
    )
    .min(1),
};

const projectTemplateFields = {
  name,
  billingType: z.enum(BILLING_TYPES),
  durationDays: days.positive(),
  phases: z
    .array(
      z
        .object({
          name,
          offsetDays: days,
          durationDays: days.positive(),
          milestones: z
            .array(
              z
                .object({
                  name,
                  offsetDays: days,
                  percentOfFee: basisPoints.nullable().default(null),
                })
                .strict(),
            )
            .default([]),
        })
        .strict(),
    )
    .min(1),
};

const taxRegimeFields = {
  country,
  standardTaxCode: taxCode,
  rates: z
    .array(
      z
        .object({
          taxCode,
          rateBasisPoints: basisPoints,
          effectiveFrom: date,
          effectiveTo: date.nullable().default(null),
        })
        .strict(),
    )
    .min(1)
    .max(500),
};

const customerTaxProfileFields = {
  country,
  taxId: z.string().trim().min(1).max(64).nullable().default(null),
};

/** PUT bodies are the *Upserted payloads minus the id (which is in the path); unknown keys are refused. */
export const customerBody = z.object(customerFields).strict();
export const legalEntityBody = z.object(legalEntityFields).strict();
export const rateCardBody = z
  .object(rateCardFields)
  .strict()
  .superRefine((card, ctx) => addIssues(ctx, rateCardIssues(card)));
export const projectTemplateBody = z
  .object(projectTemplateFields)
  .strict()
  .superRefine((template, ctx) => addIssues(ctx, projectTemplateIssues(template)));
export const taxRegimeBody = z
  .object(taxRegimeFields)
  .strict()
  .superRefine((regime, ctx) => addIssues(ctx, taxRegimeIssues(regime)));
export const customerTaxProfileBody = z.object(customerTaxProfileFields).strict();

/** The seeding batch: the same records, each carrying its id. */
export const masterDataBatchBody = z
  .object({
    customers: z.array(z.object({ customerId: masterDataId, ...customerFields }).strict()).default([]),
    legalEntities: z
      .array(z.object({ legalEntityId: masterDataId, ...legalEntityFields }).strict())
      .default([]),
    rateCards: z
      .array(
        z
          .object({ rateCardId: masterDataId, ...rateCardFields })
          .strict()
          .superRefine((card, ctx) => addIssues(ctx, rateCardIssues(card))),
      )
      .default([]),
    projectTemplates: z
      .array(
        z
          .object({ templateId: masterDataId, ...projectTemplateFields })
          .strict()
          .superRefine((template, ctx) => addIssues(ctx, projectTemplateIssues(template))),
      )
      .default([]),
    taxRegimes: z
      .array(
        z
          .object({ legalEntityId: masterDataId, ...taxRegimeFields })
          .strict()
          .superRefine((regime, ctx) => addIssues(ctx, taxRegimeIssues(regime))),
      )
      .default([]),
    customerTaxProfiles: z
      .array(z.object({ customerId: masterDataId, ...customerTaxProfileFields }).strict())
      .default([]),
  })
  .strict();
