/** Injection token of the billing service's Prisma client. */
export const BILLING_DB = Symbol('BILLING_DB');
