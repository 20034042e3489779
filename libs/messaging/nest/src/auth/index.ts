export * from './scopes';
export * from './authenticator';
export * from './auth.guard';
export * from './auth-config';
