export * from './kafka-event.transport';
export * from './service-config';
export * from './messaging.module';
export * from './bootstrap';
export * from './http-error.filter';
export * from './zod-body';
export * from './prisma-lifecycle';
export * from './correlation';
