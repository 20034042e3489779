export * from './api-metadata';
export * from './routes';
export * from './openapi-document';
export * from './service-document';
export * from './docs.controller';
