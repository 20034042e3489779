// Test doubles and signing helpers for the services' tests and the demo (never used by a service at run time).
export * from './hubspot-stub';
export * from './salesforce';
export * from './signing';
export * from './openapi';
export * from './netsuite-stub';
export * from './netsuite-tba';
