export const INGRESS_DB = Symbol('INGRESS_DB');
export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');

/** Name of this service as the source of the events it publishes. */
export const SOURCE = 'ingress';
