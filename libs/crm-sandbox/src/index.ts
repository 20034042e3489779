// Test doubles and signing helpers for ingress's tests and the demo (never used by the service).
export * from './hubspot-stub';
export * from './salesforce';
export * from './signing';
