export * from './tracing';
export * from './file-span-exporter';
export * from './metrics';
